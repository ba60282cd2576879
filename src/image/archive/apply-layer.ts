import {
  chmodSync, closeSync, constants as fsc, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync,
  mkdirSync, openSync, symlinkSync, writeSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { errnoCode, InvalidArgumentError, type Digest } from '../../base/index.js';
import { makeNodes, setXattrs, type SpecialNode, type XattrEntry } from '../../host/index.js';
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
 */
export async function applyLayer(tarStream: Readable | AsyncIterable<Buffer>, opts: { target: string; signal?: AbortSignal }): Promise<ApplyLayerResult> {
  const { signal } = opts;
  signal?.throwIfAborted();
  await mkdir(opts.target, { recursive: true, mode: 0o755 });
  const { stream, compression } = await decompressStream(tarStream, { signal });
  const hash = createHash('sha256');
  let tarSize = 0;
  const hashed = (async function* () {
    for await (const c of stream as AsyncIterable<Buffer>) {
      hash.update(c);
      tarSize += c.length;
      yield c;
    }
  })();
  const x = new Extractor(opts.target);
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
    await x.finish();
  } catch (e) {
    stream.destroy();
    if (signal?.aborted) throw signal.reason;
    throw mapStreamError(e);
  }
  return { diffId: `sha256:${hash.digest('hex')}` as Digest, size, tarSize, compression };
}

function mapStreamError(e: unknown): unknown {
  const code = errnoCode(e);
  if (code && code.startsWith('Z_')) return new InvalidArgumentError(`Cannot read layer: ${(e as Error).message}`, { cause: e });
  return e;
}

interface DeferredNode extends SpecialNode {
  uid: number;
  gid: number;
  mtime: number;
}


/*
 * The extractor uses synchronous fs calls on purpose: each is one short syscall, while an
 * async fs call costs a thread-pool round trip (~0.1 ms here), which made unpacking a
 * layer of small files several times slower than tar(1). The event loop still turns
 * between entries, whenever the tar stream is awaited.
 */
class Extractor {
  private readonly root: ScopedRoot;
  private readonly pending = new Map<string, DeferredNode>();
  private readonly xattrs: XattrEntry[] = [];
  private readonly dirTimes: Array<{ rel: string; mtime: number }> = [];

  constructor(target: string) {
    this.root = new ScopedRoot(target);
  }

  async apply(entry: TarEntry): Promise<void> {
    const h = entry.header;
    const rel = cleanEntryName(h.name);
    if (rel === '') return; // the root itself, skipped as Docker does
    const slash = rel.lastIndexOf('/');
    const base = rel.slice(slash + 1);
    const parent = await this.root.resolveDir(slash < 0 ? '' : rel.slice(0, slash), { create: true, entry: h.name });
    const leaf = parent === '' ? base : `${parent}/${base}`;

    if (base.startsWith(WHITEOUT_PREFIX)) {
      if (base === WHITEOUT_OPAQUE) this.xattrs.push({ path: parent, name: OVERLAY_OPAQUE_XATTR, value: Buffer.from('y') });
      else if (!base.startsWith(WHITEOUT_META_PREFIX)) {
        const hidden = parent === '' ? base.slice(WHITEOUT_PREFIX.length) : `${parent}/${base.slice(WHITEOUT_PREFIX.length)}`;
        await this.clear(hidden);
        this.pending.set(hidden, { path: hidden, type: 'char', major: 0, minor: 0, mode: 0, uid: h.uid, gid: h.gid, mtime: h.mtime });
      }
      return;
    }
    if (this.pending.has(leaf)) await this.flushNodes();

    switch (h.type) {
      case 'file': await this.writeFile(leaf, h, entry); break;
      case 'directory': await this.makeDir(leaf, h); break;
      case 'symlink': await this.makeSymlink(leaf, h); break;
      case 'link': await this.makeHardlink(leaf, h); break;
      case 'char': case 'block': case 'fifo':
        await this.clear(leaf);
        this.pending.set(leaf, { path: leaf, type: h.type, major: h.devmajor ?? 0, minor: h.devminor ?? 0, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime });
        break;
      default:
        throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": unhandled tar header type ${JSON.stringify(h.typeflag)}`);
    }
    if (h.xattrs && h.type !== 'link') {
      for (const [name, value] of h.xattrs) this.xattrs.push({ path: leaf, name, value });
    }
  }

  /** Remove what is at `leaf` unless it is a directory that a directory entry keeps. */
  private async clear(leaf: string): Promise<void> {
    try {
      lstatSync(this.root.abs(leaf));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw e;
    }
    await this.root.remove(leaf);
  }

  private owner(abs: string, h: TarHeader): void {
    if (h.uid !== 0 || h.gid !== 0) lchownSync(abs, h.uid, h.gid);
  }

  private async writeFile(leaf: string, h: TarHeader, entry: TarEntry): Promise<void> {
    const abs = this.root.abs(leaf);
    const flags = fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW;
    let fd: number;
    try {
      fd = openSync(abs, flags, 0o600);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      await this.root.remove(leaf);
      fd = openSync(abs, flags, 0o600);
    }
    try {
      for await (const chunk of entry.body()) {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      }
      if (h.uid !== 0 || h.gid !== 0) fchownSync(fd, h.uid, h.gid);
      fchmodSync(fd, h.mode & 0o7777);
      futimesSync(fd, h.mtime, h.mtime);
    } finally {
      closeSync(fd);
    }
  }

  private async makeDir(leaf: string, h: TarHeader): Promise<void> {
    const abs = this.root.abs(leaf);
    try {
      mkdirSync(abs, { mode: 0o700 });
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      if (!lstatSync(abs).isDirectory()) {
        await this.root.remove(leaf);
        mkdirSync(abs, { mode: 0o700 });
      }
    }
    this.root.markDir(leaf);
    this.owner(abs, h);
    chmodSync(abs, h.mode & 0o7777);
    this.dirTimes.push({ rel: leaf, mtime: h.mtime });
  }

  private async makeSymlink(leaf: string, h: TarHeader): Promise<void> {
    const abs = this.root.abs(leaf);
    try {
      symlinkSync(h.linkname, abs);
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
      await this.root.remove(leaf);
      symlinkSync(h.linkname, abs);
    }
    this.owner(abs, h);
    lutimesSync(abs, h.mtime, h.mtime);
  }

  private async makeHardlink(leaf: string, h: TarHeader): Promise<void> {
    // hardlink targets name a path from the layer root; a leading "/" means the same
    const name = cleanEntryName(h.linkname.replace(/^\/+/, ''));
    if (name === '') throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": invalid hardlink target "${h.linkname}"`);
    const slash = name.lastIndexOf('/');
    const dir = await this.root.resolveDir(slash < 0 ? '' : name.slice(0, slash), { create: false, entry: h.name });
    const target = dir === '' ? name.slice(slash + 1) : `${dir}/${name.slice(slash + 1)}`;
    if (this.pending.has(target)) await this.flushNodes();
    const src = this.root.abs(target);
    const abs = this.root.abs(leaf);
    if (src === abs) return;
    try {
      linkSync(src, abs);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new InvalidArgumentError(`Cannot apply layer entry "${h.name}": hardlink target "${h.linkname}" does not exist`);
      if (errnoCode(e) !== 'EEXIST') throw e;
      await this.root.remove(leaf);
      linkSync(src, abs);
    }
  }

  private async flushNodes(): Promise<void> {
    if (this.pending.size === 0) return;
    const nodes = [...this.pending.values()];
    this.pending.clear();
    await makeNodes(this.root.root, nodes);
    for (const n of nodes) {
      const abs = this.root.abs(n.path);
      if (n.uid !== 0 || n.gid !== 0) lchownSync(abs, n.uid, n.gid);
      lutimesSync(abs, n.mtime, n.mtime);
    }
  }

  async finish(): Promise<void> {
    await this.flushNodes();
    await setXattrs(this.root.root, this.xattrs);
    // directories last: creating their children changed their mtimes
    for (let i = this.dirTimes.length - 1; i >= 0; i--) {
      const d = this.dirTimes[i]!;
      try {
        lutimesSync(this.root.abs(d.rel), d.mtime, d.mtime);
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e; // replaced later in the same layer
      }
    }
  }
}

