import { posix } from 'node:path';
import { ScopedDir } from '../../host/index.js';
import { DockerfileError } from '../../dockerfile/index.js';
import { statInScope } from './copy-step.js';
import type { BuildEngine } from './engine.js';

/** A mount one RUN step asks for, resolved to what its container gets. */
export type StepMount =
  | { type: 'bind'; source: string; target: string; readOnly: boolean }
  | { type: 'tmpfs'; target: string; size?: number };

/** `RUN --mount=...` as BuildKit reads it, before its sources are resolved. */
export type RunMountSpec =
  | { type: 'bind'; target: string; source: string; from?: string; readWrite: boolean }
  | { type: 'cache'; target: string; id: string; source: string; from?: string; readOnly: boolean; mode: number; uid: number; gid: number }
  | { type: 'tmpfs'; target: string; size?: number }
  | { type: 'secret'; target: string; id: string; required: boolean };

const BOOL = (v: string | undefined, key: string, line: number): boolean => {
  if (v === undefined || v === '' || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new DockerfileError(`invalid value for ${key}: ${v}`, line);
};

/** Parses one `--mount=` value (CSV `key=value` fields, BuildKit's keys and defaults). */
export function parseRunMount(spec: string, workdir: string, line: number): RunMountSpec {
  const fields = new Map<string, string | undefined>();
  for (const f of spec.split(',')) {
    if (f === '') continue;
    const eq = f.indexOf('=');
    const key = (eq < 0 ? f : f.slice(0, eq)).trim().toLowerCase();
    fields.set(key, eq < 0 ? undefined : f.slice(eq + 1));
  }
  const known = new Set(['type', 'target', 'dst', 'destination', 'source', 'src', 'from', 'ro', 'readonly', 'rw', 'readwrite', 'id', 'sharing', 'mode', 'uid', 'gid', 'size', 'required', 'env']);
  for (const k of fields.keys()) if (!known.has(k)) throw new DockerfileError(`unexpected key '${k}' in '${spec}'`, line);
  const type = fields.get('type') ?? 'bind';
  const rawTarget = fields.get('target') ?? fields.get('dst') ?? fields.get('destination');
  const target = rawTarget ? posix.resolve(workdir || '/', rawTarget) : '';
  const source = fields.get('source') ?? fields.get('src') ?? '';
  const from = fields.get('from');
  const num = (key: string, def: number, radix = 10): number => {
    const v = fields.get(key);
    if (v === undefined) return def;
    const n = parseInt(v, radix);
    if (!Number.isInteger(n) || n < 0) throw new DockerfileError(`invalid value for ${key}: ${v}`, line);
    return n;
  };
  switch (type) {
    case 'bind':
      if (!target) throw new DockerfileError('mount destination must be set', line);
      return { type, target, source, ...(from ? { from } : {}), readWrite: fields.has('rw') ? BOOL(fields.get('rw'), 'rw', line) : fields.has('readwrite') ? BOOL(fields.get('readwrite'), 'readwrite', line) : false };
    case 'cache':
      if (!target) throw new DockerfileError('mount destination must be set', line);
      return {
        type, target, id: fields.get('id') || target, source, ...(from ? { from } : {}),
        readOnly: fields.has('ro') ? BOOL(fields.get('ro'), 'ro', line) : fields.has('readonly') ? BOOL(fields.get('readonly'), 'readonly', line) : false,
        mode: num('mode', 0o755, 8), uid: num('uid', 0), gid: num('gid', 0),
      };
    case 'tmpfs':
      if (!target) throw new DockerfileError('mount destination must be set', line);
      return { type, target, ...(fields.get('size') ? { size: num('size', 0) } : {}) };
    case 'secret': {
      const id = fields.get('id') || posix.basename(rawTarget ?? '');
      if (!id) throw new DockerfileError('secret mount needs an id or a target', line);
      return { type, target: target || `/run/secrets/${id}`, id, required: fields.has('required') ? BOOL(fields.get('required'), 'required', line) : false };
    }
    case 'ssh':
      throw new DockerfileError('RUN --mount=type=ssh needs an SSH agent session, which berth\'s builder does not have', line);
    default:
      throw new DockerfileError(`unsupported mount type "${type}"`, line);
  }
}

/**
 * What a step's `--mount`s give its container: binds of the context (or of a stage's or an
 * image's root, `from=`), persistent cache directories, tmpfs, and secrets the client sent.
 * Sources resolve inside their root; `release` drops the image views made for them.
 */
export async function resolveRunMounts(specs: readonly RunMountSpec[], o: {
  engine: BuildEngine; contextDir: string; secrets: ReadonlyMap<string, string>; line: number;
  imageFor(ref: string): Promise<string>;
}): Promise<{ mounts: StepMount[]; release(): Promise<void> }> {
  const views: Array<{ release(): Promise<void> }> = [];
  const release = async (): Promise<void> => { for (const v of views.splice(0)) await v.release(); };
  try {
    const mounts: StepMount[] = [];
    const rootOf = async (from: string | undefined): Promise<string> => {
      if (!from) return o.contextDir;
      const view = await o.engine.mountImage(await o.imageFor(from));
      views.push(view);
      return view.path;
    };
    for (const m of specs) {
      if (m.type === 'tmpfs') { mounts.push({ type: 'tmpfs', target: m.target, ...(m.size ? { size: m.size } : {}) }); continue; }
      if (m.type === 'secret') {
        const file = o.secrets.get(m.id);
        if (file) mounts.push({ type: 'bind', source: file, target: m.target, readOnly: true });
        else if (m.required) throw new DockerfileError(`secret ${m.id}: not found`, o.line);
        continue;
      }
      if (m.type === 'cache' && !m.from) {
        mounts.push({ type: 'bind', source: await o.engine.cacheDir(m.id, { mode: m.mode, uid: m.uid, gid: m.gid }), target: m.target, readOnly: m.readOnly });
        continue;
      }
      const root = await rootOf(m.from);
      const dir = ScopedDir.open(root);
      try {
        const found = statInScope(dir, m.source || '/');
        if (!found) throw new DockerfileError(`failed to compute cache key: "${m.source}" not found`, o.line);
        const source = found.rel ? posix.join(root, found.rel) : root;
        if (m.type === 'bind' && m.readWrite && !m.from) {
          // As BuildKit: the step may write, and what it writes is discarded (the context stays as sent).
          const view = await o.engine.scratchView(source);
          views.push(view);
          mounts.push({ type: 'bind', source: view.path, target: m.target, readOnly: false });
        } else {
          mounts.push({ type: 'bind', source, target: m.target, readOnly: m.type === 'bind' ? !m.readWrite : m.readOnly });
        }
      } finally {
        dir.close();
      }
    }
    return { mounts, release };
  } catch (e) {
    await release();
    throw e;
  }
}
