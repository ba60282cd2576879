import { InvalidArgumentError } from '../base/index.js';
import type { Propagation, UserMount } from '../runtime/index.js';
import type { HostConfig, HostMount } from './config.js';

/**
 * A mount as the container declares it (HostConfig.Binds, Mounts and Tmpfs): binds and tmpfs
 * are complete; a volume names what the volume service resolves to a host path at start.
 */
export type MountDeclaration =
  | (Extract<UserMount, { type: 'bind' }> & {
    /** The mode as `-v` gave it (Docker's MountPoint.Mode). */
    mode?: string;
    /** `-v` makes a missing host directory; `--mount` refuses it. */
    createSource?: boolean;
  })
  | (Extract<UserMount, { type: 'tmpfs' }> & {
    /** From `--mount type=tmpfs`: listed in inspect's Mounts (`--tmpfs` ones are not, as in Docker). */
    listed?: boolean;
  })
  | VolumeDeclaration;

/** A volume mount; `name` is '' for an anonymous one until create gives it a name. */
export interface VolumeDeclaration {
  type: 'volume';
  name: string;
  destination: string;
  readOnly: boolean;
  noCopy: boolean;
  driver?: string;
  driverOptions?: Record<string, string>;
  /** Labels for the volume if this mount creates it (`volume-label`). */
  labels?: Record<string, string>;
  /** A path inside the volume to mount instead of its root (`volume-subpath`). */
  subpath?: string;
  mode?: string;
  /** Created for this container without a name: `rm -v` and `run --rm` remove it. */
  anonymous?: boolean;
  /** The volume's data directory on the host, known once create resolved the volume. */
  source?: string;
}

const PROPAGATIONS = new Set<string>(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

/**
 * HostConfig's mounts in dockerd's order (Binds, then Mounts, then Tmpfs), checked as dockerd
 * checks them at create: absolute targets, known modes, one mount per target.
 */
export function parseMounts(h: Partial<Pick<HostConfig, 'Binds' | 'Mounts' | 'Tmpfs'>>): MountDeclaration[] {
  const out: MountDeclaration[] = [];
  for (const spec of h.Binds ?? []) out.push(parseBind(spec));
  for (const m of h.Mounts ?? []) out.push(parseHostMount(m));
  for (const [target, opts] of Object.entries(h.Tmpfs ?? {})) out.push(parseTmpfs(target, opts));
  const seen = new Set<string>();
  for (const m of out) {
    const dst = cleanPath(m.destination);
    if (seen.has(dst)) throw new InvalidArgumentError(`Duplicate mount point: ${dst}`);
    seen.add(dst);
  }
  return out;
}

/** `-v` / Binds: `src:dst[:mode]`, src a host path (bind) or a volume name. */
function parseBind(spec: string): MountDeclaration {
  const invalid = (): InvalidArgumentError => new InvalidArgumentError(`invalid volume specification: '${spec}'`);
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p, i) => p === '' && i < 2)) throw invalid();
  const [source, destination, mode = ''] = parts as [string, string, string?];
  if (!destination.startsWith('/')) {
    throw new InvalidArgumentError(`invalid volume specification: '${spec}': invalid mount config for type "${source.startsWith('/') ? 'bind' : 'volume'}": invalid mount path: '${destination}' mount path must be absolute`);
  }
  if (cleanPath(destination) === '/') throw new InvalidArgumentError(`invalid volume specification: '${spec}': invalid specification: destination can't be '/'`);
  let readOnly = false;
  let propagation: Propagation | undefined;
  let noCopy = false;
  for (const m of mode ? mode.split(',') : []) {
    if (m === 'ro' || m === 'rw') readOnly = m === 'ro';
    else if (PROPAGATIONS.has(m)) propagation = m as Propagation;
    else if (m === 'nocopy') noCopy = true;
    else if (m === 'z' || m === 'Z') continue; // SELinux relabelling: nothing to do without SELinux
    else throw new InvalidArgumentError(`invalid mode: ${mode}`);
  }
  if (source.startsWith('/')) {
    if (noCopy) throw new InvalidArgumentError(`invalid mode: ${mode}`);
    return { type: 'bind', source, destination, readOnly, ...(propagation ? { propagation } : {}), mode, createSource: true };
  }
  if (propagation) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  return { type: 'volume', name: source, destination, readOnly, noCopy, mode: mode || 'z' };
}

/** `--mount` / Mounts. */
function parseHostMount(m: HostMount): MountDeclaration {
  const type = m.Type ?? '';
  const target = m.Target ?? '';
  const bad = (what: string): InvalidArgumentError => new InvalidArgumentError(`invalid mount config for type "${type}": ${what}`);
  if (!target) throw bad('field Target must not be empty');
  if (!target.startsWith('/')) throw bad(`invalid mount path: '${target}' mount path must be absolute`);
  if (cleanPath(target) === '/') throw bad('invalid specification: destination can\'t be \'/\'');
  const readOnly = Boolean(m.ReadOnly);
  switch (type) {
    case 'bind': {
      if (!m.Source) throw bad('field Source must not be empty');
      if (!m.Source.startsWith('/')) throw bad(`invalid mount path: '${m.Source}' mount path must be absolute`);
      if (m.VolumeOptions) throw bad('field VolumeOptions must not be specified');
      if (m.TmpfsOptions) throw bad('field TmpfsOptions must not be specified');
      const b = m.BindOptions ?? {};
      const p = b.Propagation;
      if (p && !PROPAGATIONS.has(p)) throw bad(`invalid propagation mode: ${p}`);
      if (b.ReadOnlyNonRecursive && b.ReadOnlyForceRecursive) throw bad('must not set both ReadOnlyNonRecursive and ReadOnlyForceRecursive');
      if ((b.ReadOnlyNonRecursive || b.ReadOnlyForceRecursive) && !readOnly) throw bad(`must not set ${b.ReadOnlyNonRecursive ? 'ReadOnlyNonRecursive' : 'ReadOnlyForceRecursive'} when ReadOnly is false`);
      if (b.ReadOnlyForceRecursive && b.NonRecursive) throw bad('must not set both NonRecursive and ReadOnlyForceRecursive');
      return {
        type: 'bind', source: m.Source, destination: target, readOnly,
        ...(p ? { propagation: p as Propagation } : {}), ...(b.NonRecursive ? { nonRecursive: true } : {}),
        ...(b.ReadOnlyNonRecursive ? { readOnlyNonRecursive: true } : {}), ...(b.CreateMountpoint ? { createSource: true } : {}),
      };
    }
    case 'volume': {
      if (m.BindOptions) throw bad('field BindOptions must not be specified');
      if (m.TmpfsOptions) throw bad('field TmpfsOptions must not be specified');
      const driver = m.VolumeOptions?.DriverConfig;
      const subpath = m.VolumeOptions?.Subpath;
      if (subpath !== undefined && subpath !== '') {
        if (!m.Source) throw bad('must not set Subpath when using anonymous volumes');
        if (subpath.startsWith('/') || subpath.split('/').includes('..')) throw bad('subpath must be a relative path within the volume');
      }
      const labels = m.VolumeOptions?.Labels;
      return {
        type: 'volume', name: m.Source ?? '', destination: target, readOnly, noCopy: Boolean(m.VolumeOptions?.NoCopy),
        ...(driver?.Name ? { driver: driver.Name } : {}), ...(driver?.Options ? { driverOptions: { ...driver.Options } } : {}),
        ...(labels && Object.keys(labels).length ? { labels: { ...labels } } : {}), ...(subpath ? { subpath } : {}),
        ...(m.Source ? {} : { anonymous: true }), mode: '',
      };
    }
    case 'tmpfs': {
      if (m.Source) throw bad('field Source must not be specified');
      if (m.BindOptions) throw bad('field BindOptions must not be specified');
      if (m.VolumeOptions) throw bad('field VolumeOptions must not be specified');
      const t = m.TmpfsOptions ?? {};
      if ((t.SizeBytes ?? 0) < 0) throw bad(`invalid tmpfs size: ${t.SizeBytes}`);
      const options = (t.Options ?? []).map((o) => o.join('='));
      return {
        type: 'tmpfs', destination: target, readOnly,
        ...(t.SizeBytes ? { sizeBytes: t.SizeBytes } : {}), ...(t.Mode ? { mode: t.Mode } : {}), ...(options.length ? { options } : {}),
        listed: true,
      };
    }
    default:
      throw new InvalidArgumentError(`mount type unknown: ${JSON.stringify(type)}`);
  }
}

/** `--tmpfs /dst:opts` / Tmpfs: mount(8) options, passed through after Docker's defaults. */
function parseTmpfs(target: string, opts: string): MountDeclaration {
  if (!target.startsWith('/')) throw new InvalidArgumentError(`invalid mount path: '${target}' mount path must be absolute`);
  const options = opts ? opts.split(',').filter((o) => o !== '') : [];
  return { type: 'tmpfs', destination: target, readOnly: false, ...(options.length ? { options } : {}) };
}

/** A container path as dockerd compares mount destinations: absolute, without '.', '..' or repeated slashes. */
export function cleanPath(p: string): string {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') parts.pop(); else parts.push(s);
  }
  return `/${parts.join('/')}`;
}

/**
 * The declared mounts resolved for the runtime: volumes through `volumePath` (the volume
 * service's); without one a volume is refused, never dropped. Only the runtime's fields pass.
 */
export function resolveMounts(decls: readonly MountDeclaration[], volumePath?: (name: string) => string): UserMount[] {
  return decls.map((m) => {
    if (m.type === 'volume') {
      if (!volumePath) throw new InvalidArgumentError(`Cannot mount volume "${m.name}" at ${m.destination}: no volume service`);
      return { type: 'bind', source: volumePath(m.name), destination: m.destination, readOnly: m.readOnly };
    }
    return toUserMount(m);
  });
}

/** A bind or tmpfs declaration as the runtime takes it (without the declaration's own fields). */
export function toUserMount(m: Exclude<MountDeclaration, VolumeDeclaration>): UserMount {
  if (m.type === 'bind') {
    return {
      type: 'bind', source: m.source, destination: m.destination, readOnly: m.readOnly,
      ...(m.propagation ? { propagation: m.propagation } : {}), ...(m.nonRecursive ? { nonRecursive: true } : {}),
      ...(m.readOnlyNonRecursive ? { readOnlyNonRecursive: true } : {}),
    };
  }
  return {
    type: 'tmpfs', destination: m.destination, readOnly: m.readOnly,
    ...(m.sizeBytes !== undefined ? { sizeBytes: m.sizeBytes } : {}), ...(m.mode !== undefined ? { mode: m.mode } : {}), ...(m.options ? { options: m.options } : {}),
  };
}
