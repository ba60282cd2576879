import { closeSync, fchmodSync, fchownSync, futimesSync, write, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { errnoCode, InvalidArgumentError, type Digest } from '../../base/index.js';
import { posix } from 'node:path';
import { fileType, fsetxattr, S_IFDIR, ScopedDir } from '../../host/index.js';
import { decompressStream, type Compression } from './decompress.js';
import { readTar, type TarEntry } from './tar-reader.js';
import type { TarHeader } from './tar-header.js';
import { cleanEntryName, ScopedRoot } from './scoped-root.js';

export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface ApplyLayerResult {
  /** sha256 of the uncompressed tar stream, all of it (Docker's diffID). */
  diffId: Digest;
  /** Sum of entry sizes, as Docker reports a layer's size. */
  size: number;
  /** Byte length of the uncompressed tar stream. */
  tarSize: number;
  /** How the input was compressed. */
  compression: Compression;
}

/**
 * Unpack a layer tar (plain, gzip, bzip2, xz or zstd) into `target` as an overlayfs lower
 * directory: OCI whiteouts become 0:0 character devices, opaque markers become the
 * trusted.overlay.opaque xattr. Ownership, modes, mtimes, links, devices, fifos and
 * SCHILY xattrs are kept. Hostile names are refused and nothing is written outside target.
 * `inputDigest`: the input's sha256, which the caller checks before it uses the result.
 */
export async function applyLayer(tarStream: Readable | AsyncIterable<Buffer>, opts: { target: string; signal?: AbortSignal; inputDigest?: Digest; digests?: Map<string, FileDigest> }): Promise<ApplyLayerResult> {
  const { signal } = opts;
  signal?.throwIfAborted();
  await mkdir(opts.target, { recursive: true, mode: 0o755 });
  const { stream, compression } = await decompressStream(tarStream, { signal });
  // an uncompressed input whose digest the caller verifies (before it trusts the result) is its own diffID: not hashed twice
  const known = compression === 'none' ? opts.inputDigest : undefined;
  const hash = createHash('sha256');
  let tarSize = 0;
  const hashed = (async function* () {
    for await (const c of stream as AsyncIterable<Buffer>) {
      if (!known) hash.update(c);
      tarSize += c.length;
      yield c;
    }
  })();
  const x = new Extractor(ScopedDir.open(opts.target, { writer: true }), { layer: true, ...(opts.digests ? { digests: opts.digests } : {}) });
  let size = 0;
  try {
    for await (const entry of readTar({ [Symbol.asyncIterator]: () => hashed })) {
      signal?.throwIfAborted();
      size += entry.header.size;
      await x.apply(entry);
    }
    // the diffID covers every byte of the stream, padding after the end marker included
    for (;;) {
      const r = await hashed.next();
      if (r.done) break;
    }
    x.finish();
  } catch (e) {
    stream.destroy();
    if (signal?.aborted) throw signal.reason;
    throw mapStreamError(e);
  } finally {
    x.close();
  }
  return { diffId: known ?? (`sha256:${hash.digest('hex')}` as Digest), size, tarSize, compression };
}

export function mapStreamError(e: unknown): unknown {
  const code = errnoCode(e);
  if (code && code.startsWith('Z_')) return new InvalidArgumentError(`Cannot read layer: ${(e as Error).message}`, { cause: e });
  return e;
}

const MAX_UNIX_TIME = 9_223_372_036;

/** Files from this size on have their data written asynchronously. */
const ASYNC_WRITE_MIN = 1 << 20;

function writeAsync(fd: number, chunk: Buffer, off: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, chunk, off, chunk.length - off, null, (e, n) => (e ? reject(e) : resolve(n))));
}

/** Errors of one entry that come from what the archive holds, not from the host: a 400. */
const ENTRY_ERRNOS = new Set(['ELOOP', 'ENOTDIR', 'EISDIR', 'EXDEV', 'EPERM', 'EINVAL', 'ENAMETOOLONG', 'EMLINK', 'ENOENT', 'ENOTEMPTY', 'ERANGE', 'E2BIG']);

function entryError(h: TarHeader, e: unknown): unknown {
  const code = errnoCode(e);
  if (!code || !ENTRY_ERRNOS.has(code)) return e;
  const err = e as Error & { syscall?: string };
  return new InvalidArgumentError(`Cannot apply layer entry "${h.name}": ${err.syscall ?? 'system call'} failed with ${code}`, { cause: e });
}

/**
 * How an archive is unpacked: a layer (whiteouts applied, names must be relative), or a
 * copy into a directory below the ScopedDir's root (`docker cp`: `base` is that directory,
 * symlink-free; whiteout names are plain files, a leading "/" means `base`, and symlinks or
 * hard links that climb out of `base` are refused as Docker's Unpack refuses them).
 */
export interface ExtractOptions {
  layer: boolean;
  base?: string;
  /** Refuse to replace a directory with a non-directory or the reverse (Docker's NoOverwriteDirNonDir). */
  noOverwriteDirNonDir?: boolean;
  /** Every entry gets this owner instead of the archive's (Docker's ChownOpts). */
  owner?: { uid: number; gid: number };
  /** Filled with each regular file's content digest as it is written (a build context's hash index). */
  digests?: Map<string, FileDigest>;
}

/** A file's content as it was extracted: its sha256 (hex), the size and mtime (s) it was written with, and whether it got xattrs. */
export interface FileDigest { digest: string; size: number; mtime: number; xattrs: boolean }

/*
 * Every call goes through a ScopedDir: fd-relative system calls in berth's addon that
 * resolve parents beneath the layer root with symlinks forbidden, and never follow the last
 * component. Entries are applied in archive order (devices, fifos, whiteouts and xattrs
 * included); only directory times wait for the end (creating children changes them), and
 * they are set fd-relative too, on directories only. The calls are synchronous on purpose:
 * each is one short syscall or a few, while an async fs call costs a thread-pool round
 * trip. The event loop still turns between entries, whenever the tar stream is awaited.
 * Only a big file's data goes through the thread pool (writeFile).
 */
export class Extractor {
  private readonly root: ScopedRoot;
  private readonly dirTimes = new Map<string, number>();

  constructor(private readonly dir: ScopedDir, private readonly opts: ExtractOptions) {
    this.root = new ScopedRoot(dir);
  }

  /** The entry's path below the root: a layer's name, or a copy's name below `base`. */
  private target(name: string): string {
    if (this.opts.layer) return cleanEntryName(name);
    const rel = cleanEntryName(name.replace(/^\/+/, ''));
    const base = this.opts.base ?? '';
    return base === '' || rel === '' ? base + rel : `${base}/${rel}`;
  }

  /** A copy's link target must stay below `base` (Docker's breakout check); a layer's is checked by resolveDir. */
  private checkCopyLink(h: TarHeader, rel: string): void {
    if (this.opts.layer) return;
    const base = this.opts.base ?? '';
    const inBase = base === '' ? rel : rel.slice(base.length + 1);
    const from = h.type === 'symlink' ? posix.dirname(inBase) : '.';
    const joined = posix.normalize(posix.join(from, h.type === 'symlink' ? h.linkname : h.linkname.replace(/^\/+/, '')));
    if (joined === '..' || joined.startsWith('../')) {
      throw new InvalidArgumentError(`invalid ${h.type === 'symlink' ? 'symlink' : 'hardlink'} "${h.name}" -> "${h.linkname}"`);
    }
  }

  /** Docker's NoOverwriteDirNonDir: what is at `leaf` may only be replaced by the same kind. */
  private checkOverwrite(h: TarHeader, leaf: string): void {
    if (!this.opts.noOverwriteDirNonDir) return;
    const st = this.dir.lstat(leaf);
    if (!st) return;
    const isDir = fileType(st.mode) === S_IFDIR;
    if (isDir && h.type !== 'directory') throw new InvalidArgumentError(`cannot overwrite directory "/${leaf}" with non-directory "${h.name}"`);
    if (!isDir && h.type === 'directory') throw new InvalidArgumentError(`cannot overwrite non-directory "/${leaf}" with directory "${h.name}"`);
  }

  close(): void {
    this.dir.close();
  }

  async apply(entry: TarEntry): Promise<void> {
    const h = entry.header;
    const rel = this.target(h.name);
    if (rel === (this.opts.base ?? '')) return; // the root itself, skipped as Docker does
    if (this.opts.owner) { h.uid = this.opts.owner.uid; h.gid = this.opts.owner.gid; }
    // as Docker's Chtimes: a time before the epoch or past what Go's time.Duration holds is the epoch
    if (h.mtime < 0 || h.mtime > MAX_UNIX_TIME) h.mtime = 0;
    try {
      await this.applyAt(rel, h, entry);
    } catch (e) {
      throw entryError(h, e);
    }
  }

  private async applyAt(rel: string, h: TarHeader, entry: TarEntry): Promise<void> {
    const slash = rel.lastIndexOf('/');
    const base = rel.slice(slash + 1);
    const parent = this.root.resolveDir(slash < 0 ? '' : rel.slice(0, slash), { create: true, entry: h.name });
    const leaf = parent === '' ? base : `${parent}/${base}`;
    this.opts.digests?.delete(leaf);

    if (!this.opts.layer && base.startsWith(WHITEOUT_PREFIX)) {
      // a copy's ".wh." file would turn into a whiteout in a commit of the container
      throw new InvalidArgumentError(`Cannot extract "${h.name}": names starting with "${WHITEOUT_PREFIX}" are reserved for layer whiteouts`);
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      if (base === WHITEOUT_OPAQUE) this.dir.setxattr(parent, OVERLAY_OPAQUE_XATTR, Buffer.from('y'));
      else if (!base.startsWith(WHITEOUT_META_PREFIX)) {
        const name = base.slice(WHITEOUT_PREFIX.length);
        if (name === '' || name === '.' || name === '..') throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": invalid whiteout name "${base}"`);
        const hidden = parent === '' ? name : `${parent}/${name}`;
        this.root.remove(hidden);
        this.dir.mknod(hidden, { type: 'char', major: 0, minor: 0, mode: 0, uid: h.uid, gid: h.gid, mtime: h.mtime });
      }
      return;
    }

    if (h.type === 'symlink' || h.type === 'link') this.checkCopyLink(h, leaf);
    this.checkOverwrite(h, leaf);
    switch (h.type) {
      case 'file': await this.writeFile(leaf, h, entry); return; // xattrs set through the open file
      case 'directory': this.makeDir(leaf, h); break;
      case 'symlink': this.makeSymlink(leaf, h); break;
      case 'link': this.makeHardlink(leaf, h); return; // a link shares its target's xattrs
      case 'char': case 'block': case 'fifo': this.makeNode(leaf, h, h.type); break;
      default:
        throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": unhandled tar header type ${JSON.stringify(h.typeflag)}`);
    }
    for (const [name, value] of xattrsOf(h)) {
      try {
        this.dir.setxattr(leaf, name, value);
      } catch (e) {
        if (!ignoredXattrError(e)) throw e;
      }
    }
  }

  private async writeFile(leaf: string, h: TarHeader, entry: TarEntry): Promise<void> {
    let fd = this.dir.create(leaf);
    if (fd === undefined) {
      this.root.remove(leaf);
      fd = this.dir.create(leaf);
      if (fd === undefined) throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": "${leaf}" exists`);
    }
    const hash = this.opts.digests ? createHash('sha256') : undefined;
    try {
      // a big file's data is copied into the page cache on the thread pool, so that the event
      // loop meanwhile hashes and receives (other layers of a pull, the next bytes of this one)
      const big = h.size >= ASYNC_WRITE_MIN;
      for await (const chunk of entry.body()) {
        hash?.update(chunk);
        let off = 0;
        while (off < chunk.length) off += big ? await writeAsync(fd, chunk, off) : writeSync(fd, chunk, off, chunk.length - off);
      }
      if (hash) this.opts.digests!.set(leaf, { digest: hash.digest('hex'), size: h.size, mtime: Math.floor(h.mtime), xattrs: xattrsOf(h).length > 0 });
      // owner, then mode (chown clears setuid bits), then xattrs (a write or chown drops security.capability)
      if (h.uid !== 0 || h.gid !== 0) fchownSync(fd, h.uid, h.gid);
      fchmodSync(fd, h.mode & 0o7777);
      for (const [name, value] of xattrsOf(h)) {
        try {
          fsetxattr(fd, name, value);
        } catch (e) {
          if (!ignoredXattrError(e)) throw e;
        }
      }
      futimesSync(fd, h.mtime, h.mtime);
    } finally {
      closeSync(fd);
    }
  }

  private makeDir(leaf: string, h: TarHeader): void {
    const o = { mode: h.mode, uid: h.uid, gid: h.gid };
    if (!this.dir.mkdir(leaf, o)) {
      this.root.remove(leaf);
      this.dir.mkdir(leaf, o);
    }
    this.root.markDir(leaf);
    this.dirTimes.set(leaf, h.mtime);
  }

  private makeSymlink(leaf: string, h: TarHeader): void {
    const o = { uid: h.uid, gid: h.gid, mtime: h.mtime };
    if (!this.dir.symlink(leaf, h.linkname, o)) {
      this.root.remove(leaf);
      this.dir.symlink(leaf, h.linkname, o);
    }
  }

  private makeNode(leaf: string, h: TarHeader, type: 'char' | 'block' | 'fifo'): void {
    const o = { type, major: h.devmajor ?? 0, minor: h.devminor ?? 0, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime };
    if (!this.dir.mknod(leaf, o)) {
      this.root.remove(leaf);
      this.dir.mknod(leaf, o);
    }
  }

  private makeHardlink(leaf: string, h: TarHeader): void {
    // hardlink targets name a path from the layer root (a copy's base); a leading "/" means the same
    const name = this.target(h.linkname.replace(/^\/+/, ''));
    if (name === (this.opts.base ?? '')) throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": invalid hardlink target "${h.linkname}"`);
    const slash = name.lastIndexOf('/');
    const dir = this.root.resolveDir(slash < 0 ? '' : name.slice(0, slash), { create: false, entry: h.name });
    const target = dir === '' ? name.slice(slash + 1) : `${dir}/${name.slice(slash + 1)}`;
    if (target === leaf) return;
    try {
      if (!this.dir.link(target, leaf)) {
        this.root.remove(leaf);
        this.dir.link(target, leaf);
      }
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": hardlink target "${h.linkname}" does not exist`);
      throw e;
    }
  }

  finish(): void {
    // directories last: creating their children changed their mtimes; one replaced by a
    // non-directory later in the layer keeps that entry's time
    for (const [rel, mtime] of this.dirTimes) this.dir.utimes(rel, mtime, { onlyDir: true });
  }
}

/**
 * The header's xattrs that a layer may set. overlayfs's own (trusted.overlay.*: opaque,
 * redirect, metacopy...) come only from whiteouts, never from an archive's records.
 */
function xattrsOf(h: TarHeader): Array<[string, Buffer]> {
  if (!h.xattrs) return [];
  if (h.xattrs.has('')) throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": an extended attribute has an empty name`);
  return [...h.xattrs].filter(([name]) => !name.startsWith('trusted.overlay.'));
}

/** As Docker: xattrs the file system or the kernel will not take (EPERM, ENOTSUP) are skipped. */
function ignoredXattrError(e: unknown): boolean {
  const code = errnoCode(e);
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP';
}
