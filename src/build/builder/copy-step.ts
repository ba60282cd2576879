import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { shortId } from '../../base/index.js';
import { fileType, resolveInScope, S_IFDIR, S_IFREG, ScopedDir, type ScopedStat } from '../../host/index.js';
import { pathMatch, walkTree, writeTar, type FileDigest, type TarHeader, type TarWriteEntry } from '../../image/index.js';
import { cleanPath } from '../../oci/index.js';
import { DockerfileError, expandWord, type BuildEnv, type Instruction } from '../../dockerfile/index.js';
import { addSource, type AddedSource } from './add-source.js';
import type { BuildEngine, BuildMessage } from './engine.js';
import type { StageConfig } from '../../dockerfile/index.js';

export interface CopyContext {
  engine: BuildEngine;
  contextDir: string;
  /** Content digests of the context's files as unpacked (see BuildOptions.contextDigests). */
  contextDigests?: ReadonlyMap<string, FileDigest>;
  env: BuildEnv;
  escape: string;
  emit(msg: BuildMessage): void;
  signal?: AbortSignal;
  rm: boolean;
  /** Told when a source is fetched from a URL (see BuildOptions.onRemoteSource). */
  onRemoteSource?: () => void;
  /** The image a `--from` names: an earlier stage's result or an image. */
  stageImage(ref: string): Promise<string>;
}

/** A COPY ready to run: its history text (the cache key), and the step itself; release when done. */
export interface CopyPlan {
  createdBy: string;
  commit(): Promise<string>;
  release(): Promise<void>;
}

type CopyInstruction = Extract<Instruction, { kind: 'copy' | 'add' }>;

/** A source resolved in its root: a path without symlinks, relative to the root. */
interface Source { rel: string; kind: 'dir' | 'file' | 'other' }

const WILDCARD = /[*?[]/;

/**
 * Plans a COPY or ADD: resolves its sources (wildcards, symlinks kept inside their root),
 * hashes what would be copied (the cache key, as moby's `file:`/`dir:`/`multi:` labels) and
 * returns how to make the image when the cache has none.
 */
export async function runCopy(ctx: CopyContext, ins: CopyInstruction, run: { imageId: string; cfg: StageConfig }): Promise<CopyPlan> {
  const word = (s: string): string => expandWord(s, ctx.env, { escape: ctx.escape }).value;
  const line = ins.node.startLine;
  const upper = ins.kind.toUpperCase();
  const rawDest = word(ins.dest);
  const joined = rawDest.startsWith('/') ? rawDest : posix.join(run.cfg.config.WorkingDir || '/', rawDest);
  const dest = rawDest.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined;
  const destIsDir = dest.endsWith('/') || dest.endsWith('/.');
  const fromImage = ins.from ? await ctx.stageImage(word(ins.from)) : undefined;
  const mount = fromImage ? await ctx.engine.mountImage(fromImage) : undefined;
  const release = async (): Promise<void> => { await mount?.release(); };
  try {
    const root = mount?.path ?? ctx.contextDir;
    const digests = mount ? undefined : ctx.contextDigests;
    const owner = ins.chown ? await resolveOwner(ctx, run.imageId, word(ins.chown)) : { uid: 0, gid: 0 };
    const mode = ins.chmod ? parseChmod(word(ins.chmod), line) : undefined;
    const entries: Array<() => AsyncIterable<TarWriteEntry>> = [];
    let count = 0;
    let singleKind: 'file' | 'dir' = 'file';
    const targetDirKnown = destIsDir || (await ctx.engine.pathKind(run.imageId, dest)) === 'dir';
    const dir = ScopedDir.open(root);
    try {
      for (const rawSrc of ins.sources) {
        const src = word(rawSrc);
        if (ins.kind === 'add' && /^https?:\/\//i.test(src)) {
          ctx.onRemoteSource?.();
          const added = await addSource.fromUrl(src, { checksum: ins.checksum ? word(ins.checksum) : undefined, signal: ctx.signal });
          count++;
          entries.push(() => fileEntry(added, targetDirKnown || ins.sources.length > 1 ? posix.join(dest, added.name) : dest, owner, mode));
          continue;
        }
        if (ins.checksum) throw new DockerfileError('checksum can\'t be specified for non-HTTP(S) sources', line);
        const matched = WILDCARD.test(src) ? matchWildcard(dir, src) : [statInScope(dir, src)];
        if (matched.length === 0 || matched.includes(undefined)) {
          throw new DockerfileError(`${upper} failed: file not found in build context or excluded by .dockerignore: stat ${src}: file does not exist`, line);
        }
        for (const s of matched as Source[]) {
          count++;
          singleKind = s.kind === 'dir' ? 'dir' : 'file';
          if (s.kind === 'dir') {
            entries.push(() => dirEntries(root, s.rel, dest, owner, mode, ins.exclude, digests));
          } else if (ins.kind === 'add' && s.kind === 'file' && await addSource.isArchive(dir, s.rel)) {
            entries.push(() => addSource.archiveEntries(root, s.rel, dest, ctx.signal));
          } else {
            const name = targetDirKnown || WILDCARD.test(src) || ins.sources.length > 1 ? posix.join(dest, posix.basename(s.rel)) : dest;
            entries.push(() => pathEntry(root, s.rel, name, owner, mode, digests));
          }
        }
      }
    } finally {
      dir.close();
    }
    for (const h of ins.heredocs) {
      count++;
      const content = h.expand ? expandWord(h.content, ctx.env, { escape: ctx.escape, rawEscapes: true }).value : h.content;
      const name = posix.join(dest.endsWith('/') ? dest : posix.dirname(dest) + '/', '') + (dest.endsWith('/') ? h.name : posix.basename(dest));
      entries.push(() => fileEntry({ name: h.name, body: Buffer.from(content), mode: 0o644, mtime: 0 }, name, owner, mode));
    }
    if (count > 1 && !destIsDir) {
      throw new DockerfileError(`When using ${upper} with more than one source file, the destination must be a directory and end with a /`, line);
    }
    const all = (): AsyncIterable<TarWriteEntry> => rootRelative(concat(entries.map((e) => e())));
    const hash = await hashEntries(all());
    const label = count > 1 ? 'multi' : singleKind;
    const createdBy = `/bin/sh -c #(nop) ${upper} ${label}:${hash} in ${dest} `;
    return {
      createdBy,
      release,
      commit: async () => {
        const id = await ctx.engine.createContainer({ imageId: run.imageId, config: { ...run.cfg.config, Cmd: ['/bin/sh', '-c', `#(nop) ${upper} ${label}:${hash} in ${dest} `] }, host: {} });
        try {
          ctx.emit({ stream: ` ---> Running in ${shortId(id)}\n` });
          const mkdir = cleanPath(dest.endsWith('/') || count > 1 || targetDirKnown ? dest : posix.dirname(dest));
          await ctx.engine.copyInto(id, { mkdir, tar: writeTar(all(), { signal: ctx.signal }), signal: ctx.signal });
          return await ctx.engine.commit({ containerId: id, parent: run.imageId || undefined, config: run.cfg.config, author: run.cfg.author, createdBy, signal: ctx.signal });
        } finally {
          if (ctx.rm) {
            await ctx.engine.removeContainer(id);
            ctx.emit({ stream: `Removing intermediate container ${shortId(id)}\n` });
          }
        }
      },
    };
  } catch (e) {
    await release();
    throw e;
  }
}

async function resolveOwner(ctx: CopyContext, imageId: string, spec: string): Promise<{ uid: number; gid: number }> {
  const [u, g] = spec.split(':');
  if (/^\d+$/.test(u ?? '') && (g === undefined || /^\d+$/.test(g))) return { uid: Number(u), gid: Number(g ?? u) };
  return ctx.engine.resolveOwner(imageId, spec);
}

function parseChmod(s: string, line: number): number {
  if (!/^[0-7]{1,4}$/.test(s)) throw new DockerfileError(`invalid chmod parameter ${s}. it should be octal string and between 0 and 07777`, line);
  return parseInt(s, 8);
}

/** What a path names inside its root, symlinks followed in scope (Docker's FollowSymlinkInScope). */
export function statInScope(dir: ScopedDir, path: string): Source | undefined {
  const rel = resolveInScope(dir, path, { followLast: true });
  const st = rel === '' ? { mode: S_IFDIR } : dir.lstat(rel);
  if (!st) return undefined;
  const t = fileType(st.mode);
  return { rel, kind: t === S_IFDIR ? 'dir' : t === S_IFREG ? 'file' : 'other' };
}

/** Every path of the root that the pattern matches, as Go's filepath.Match does. */
function matchWildcard(dir: ScopedDir, pattern: string): Source[] {
  const clean = cleanPath(`/${pattern}`).slice(1);
  const out: Source[] = [];
  const visit = (rel: string): void => {
    for (const name of dir.readdir(rel).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const st = dir.lstat(child);
      if (!st) continue;
      const t = fileType(st.mode);
      if (pathMatch(clean, child)) out.push({ rel: child, kind: t === S_IFDIR ? 'dir' : t === S_IFREG ? 'file' : 'other' });
      else if (t === S_IFDIR && clean.split('/').length > child.split('/').length) visit(child);
    }
  };
  visit('');
  return out;
}

function own(h: TarHeader, owner: { uid: number; gid: number }, mode: number | undefined): TarHeader {
  return { ...h, uid: owner.uid, gid: owner.gid, uname: undefined, gname: undefined, ...(mode !== undefined && h.type !== 'symlink' ? { mode } : {}) };
}

/** A tar entry and, for a context file unchanged since it was unpacked, its content digest. */
type CopyEntry = TarWriteEntry & { contentDigest?: string };

/** What was recorded when the regular file `rel` was unpacked, if it still has the size and mtime it was written with. */
function unpacked(digests: ReadonlyMap<string, FileDigest> | undefined, rel: string, file: { regular: boolean; size: number; mtime: number }): FileDigest | undefined {
  const d = digests?.get(rel);
  return d && file.regular && d.size === file.size && d.mtime === file.mtime ? d : undefined;
}

const asUnpacked = (h: TarHeader): { regular: boolean; size: number; mtime: number } => ({ regular: h.type === 'file', size: h.size, mtime: h.mtime });

async function* dirEntries(root: string, rel: string, dest: string, owner: { uid: number; gid: number }, mode: number | undefined, exclude: string[], digests?: ReadonlyMap<string, FileDigest>): AsyncIterable<CopyEntry> {
  const base = dest.replace(/\/+$/, '') || '/';
  const inContext = (p: string): string => (rel ? `${rel}/${p}` : p);
  // A context file unchanged since it was unpacked without xattrs has none: its listing is skipped.
  const knownBare = digests ? (p: string, st: ScopedStat): boolean => {
    const d = unpacked(digests, inContext(p), { regular: fileType(st.mode) === S_IFREG, size: st.size, mtime: st.mtimeSec });
    return d !== undefined && !d.xattrs;
  } : undefined;
  for await (const e of walkTree({ root: rel ? posix.join(root, rel) : root, exclude: exclude.length ? (p) => exclude.some((x) => pathMatch(x, p)) : undefined, knownBare })) {
    const contentDigest = unpacked(digests, inContext(e.header.name), asUnpacked(e.header))?.digest;
    const name = posix.join(base, e.header.name);
    const header = own({ ...e.header, name: e.header.type === 'directory' ? `${name}/` : name }, owner, mode);
    if (header.type === 'link') header.linkname = posix.join(base, e.header.linkname);
    yield { ...e, header, ...(contentDigest ? { contentDigest } : {}) };
  }
}

async function* pathEntry(root: string, rel: string, name: string, owner: { uid: number; gid: number }, mode: number | undefined, digests?: ReadonlyMap<string, FileDigest>): AsyncIterable<CopyEntry> {
  const parent = posix.dirname(rel);
  for await (const e of walkTree({ root: parent === '.' ? root : posix.join(root, parent), exclude: (p) => p !== posix.basename(rel) || false })) {
    if (e.header.name.replace(/\/$/, '') !== posix.basename(rel)) continue;
    const contentDigest = unpacked(digests, rel, asUnpacked(e.header))?.digest;
    yield { ...e, header: own({ ...e.header, name }, owner, mode), ...(contentDigest ? { contentDigest } : {}) };
    return;
  }
}

async function* fileEntry(src: AddedSource, name: string, owner: { uid: number; gid: number }, mode: number | undefined): AsyncIterable<TarWriteEntry> {
  yield { header: own({ name, type: 'file', mode: src.mode, uid: 0, gid: 0, size: src.body.length, mtime: src.mtime, linkname: '' }, owner, mode), body: src.body };
}

/** Names relative to the container's root, as layer tars carry them. */
async function* rootRelative(entries: AsyncIterable<TarWriteEntry>): AsyncIterable<TarWriteEntry> {
  for await (const e of entries) {
    const header = { ...e.header, name: e.header.name.replace(/^\/+/, '') };
    if (header.type === 'link') header.linkname = header.linkname.replace(/^\/+/, '');
    if (header.name === '' || header.name === '/') continue;
    yield { ...e, header };
  }
}

async function* concat(parts: Array<AsyncIterable<TarWriteEntry>>): AsyncIterable<TarWriteEntry> {
  for (const p of parts) yield* p;
}

/** The cache key of what a COPY copies: each entry's header and its content's digest (read only when not known). */
async function hashEntries(entries: AsyncIterable<CopyEntry>): Promise<string> {
  const h = createHash('sha256');
  for await (const e of entries) {
    const x = e.header;
    h.update(JSON.stringify([x.name, x.type, x.mode, x.uid, x.gid, x.size, x.linkname, x.devmajor ?? 0, x.devminor ?? 0, [...(x.xattrs ?? new Map())].map(([k, v]) => [k, v.toString('base64')])]));
    h.update('\0');
    if (x.type === 'file' && e.body !== undefined) h.update(e.contentDigest ?? await bodyDigest(e.body));
  }
  return h.digest('hex');
}

async function bodyDigest(body: NonNullable<TarWriteEntry['body']>): Promise<string> {
  const h = createHash('sha256');
  if (typeof body === 'string') return h.digest('hex');
  if (body instanceof Uint8Array) return h.update(body).digest('hex');
  for await (const chunk of body) h.update(chunk);
  return h.digest('hex');
}
