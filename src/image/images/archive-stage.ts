import { createHash } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { errnoCode, InvalidArgumentError, type Digest } from '../../base/index.js';
import { decompressStream, readTar } from '../archive/index.js';
import { cleanEntryName } from '../archive/scoped-root.js';

export interface StagedFile {
  path: string;
  digest: Digest;
  size: number;
}

/**
 * An image archive unpacked into a private staging directory: regular files hashed while
 * written (and fsynced, since layer files become blobs by rename), links kept as a map
 * and resolved lexically, so nothing in the archive can point outside it.
 */
/**
 * At most this many entries in an image archive: a docker-archive or OCI layout holds a few
 * per layer, and each entry costs memory here until the load ends.
 */
export const MAX_ARCHIVE_ENTRIES = 100_000;

/** Errors of one entry that come from what the archive holds (a file where a directory is). */
const ENTRY_ERRNOS = new Set(['ENOTDIR', 'EISDIR', 'EEXIST', 'ENAMETOOLONG']);

export class StagedArchive {
  readonly files = new Map<string, StagedFile>();
  private readonly links = new Map<string, string>();

  constructor(readonly dir: string) {}

  static async stage(src: Readable | AsyncIterable<Buffer>, dir: string, signal?: AbortSignal): Promise<StagedArchive> {
    const s = new StagedArchive(dir);
    const { stream } = await decompressStream(src as AsyncIterable<Buffer>, { signal });
    try {
      let count = 0;
      for await (const e of readTar(stream as AsyncIterable<Buffer>)) {
        signal?.throwIfAborted();
        if (++count > MAX_ARCHIVE_ENTRIES) throw new InvalidArgumentError(`more than ${MAX_ARCHIVE_ENTRIES} entries`);
        const name = cleanEntryName(e.header.name);
        if (name === '') continue;
        if (e.header.type === 'file') {
          try {
            await s.writeFile(name, e.body());
          } catch (err) {
            const c = errnoCode(err);
            if (c && ENTRY_ERRNOS.has(c)) throw new InvalidArgumentError(`entry "${e.header.name}" conflicts with another entry (${c})`, { cause: err });
            throw err;
          }
        }
        else if (e.header.type === 'symlink') s.links.set(name, posix.normalize(posix.join(posix.dirname(name), e.header.linkname)));
        else if (e.header.type === 'link') s.links.set(name, posix.normalize(e.header.linkname.replace(/^\/+/, '')));
      }
    } catch (e) {
      stream.destroy();
      if (signal?.aborted) throw signal.reason;
      const code = errnoCode(e);
      if (code?.startsWith('Z_')) throw new InvalidArgumentError(`invalid archive: ${(e as Error).message}`, { cause: e });
      if (e instanceof InvalidArgumentError) throw new InvalidArgumentError(`invalid archive: ${e.message}`, { cause: e });
      throw e;
    }
    return s;
  }

  private async writeFile(name: string, body: AsyncIterable<Buffer>): Promise<void> {
    const path = join(this.dir, 'files', name);
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(path, 'w', 0o644);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const c of body) {
        hash.update(c);
        size += c.length;
        let off = 0;
        while (off < c.length) off += (await fh.write(c, off, c.length - off)).bytesWritten;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const digest = `sha256:${hash.digest('hex')}` as Digest;
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (m && m[1] !== digest.slice(7)) throw new InvalidArgumentError(`blob ${name} does not match its content (${digest})`);
    this.files.set(name, { path, digest, size });
  }

  /** The file an archive path names, following the archive's own links. */
  get(name: string): StagedFile | undefined {
    let n = posix.normalize(name).replace(/^\.\//, '');
    for (let hops = 0; hops < 16; hops++) {
      const f = this.files.get(n);
      if (f) return f;
      const direct = this.links.get(n);
      if (direct !== undefined) { n = direct; continue; }
      // a linked directory somewhere along the path
      const parts = n.split('/');
      let replaced = false;
      for (let i = parts.length - 1; i > 0 && !replaced; i--) {
        const t = this.links.get(parts.slice(0, i).join('/'));
        if (t !== undefined) {
          n = posix.normalize([t, ...parts.slice(i)].join('/'));
          replaced = true;
        }
      }
      if (!replaced) return undefined;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}
