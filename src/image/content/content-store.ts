import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DigestMismatchError, digestHex, errnoCode, isDigest, NotFoundError, syncDir, type Digest } from '../../base/index.js';

/**
 * Blobs by digest under `<root>/content/sha256/<hex>`. Writes go to `ingest/`, are hashed
 * while streaming, fsynced, verified against the expected digest and only then renamed
 * into place, so a visible blob is always complete and correct.
 */
export class ContentStore {
  private constructor(readonly dir: string, private readonly ingestDir: string) {}

  static async open(root: string): Promise<ContentStore> {
    const dir = join(root, 'content', 'sha256');
    const ingestDir = join(root, 'content', 'ingest');
    await mkdir(dir, { recursive: true });
    // whatever was being written when the daemon last stopped is garbage now
    await rm(ingestDir, { recursive: true, force: true });
    await mkdir(ingestDir, { recursive: true });
    return new ContentStore(dir, ingestDir);
  }

  path(digest: Digest | string): string {
    return join(this.dir, digestHex(digest));
  }

  async has(digest: Digest | string): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return false;
      throw e;
    }
  }

  async size(digest: Digest | string): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new NotFoundError(`content ${digest}: not found`);
      throw e;
    }
  }

  async readBytes(digest: Digest | string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new NotFoundError(`content ${digest}: not found`);
      throw e;
    }
  }

  read(digest: Digest | string, opts: { start?: number } = {}): Readable {
    return createReadStream(this.path(digest), { start: opts.start, highWaterMark: 1 << 16 });
  }

  async list(): Promise<Digest[]> {
    return (await readdir(this.dir)).map((h) => `sha256:${h}`).filter(isDigest);
  }

  async delete(digest: Digest | string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  /** Start writing a blob; nothing is visible until commit(). */
  async writer(opts: { expected?: Digest } = {}): Promise<BlobWriter> {
    const tmp = join(this.ingestDir, randomBytes(12).toString('hex'));
    const fh = await open(tmp, 'wx', 0o644);
    return new BlobWriter(this, fh, tmp, opts.expected);
  }

  /** Stream a whole blob in, verify it and commit it. */
  async ingest(src: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { expected?: Digest; signal?: AbortSignal } = {}): Promise<{ digest: Digest; size: number; created: boolean }> {
    const w = await this.writer({ expected: opts.expected });
    try {
      for await (const chunk of src) {
        opts.signal?.throwIfAborted();
        await w.write(chunk);
      }
      return await w.commit();
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  /** Store small bytes (configs, manifests) and return their digest. */
  async put(bytes: Uint8Array, opts: { expected?: Digest } = {}): Promise<Digest> {
    const w = await this.writer(opts);
    try {
      await w.write(bytes);
      return (await w.commit()).digest;
    } catch (e) {
      await w.abort();
      throw e;
    }
  }

  /** Move an already verified temp file (same filesystem) into place. */
  async adopt(tmp: string, digest: Digest): Promise<void> {
    const final = this.path(digest);
    await rename(tmp, final);
    await syncDir(this.dir);
  }
}

export class BlobWriter {
  private readonly hash: Hash = createHash('sha256');
  size = 0;
  private closed = false;

  constructor(private readonly store: ContentStore, private readonly fh: FileHandle, private readonly tmp: string, private readonly expected?: Digest) {}

  async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    this.size += chunk.length;
    let off = 0;
    while (off < chunk.length) off += (await this.fh.write(chunk, off, chunk.length - off)).bytesWritten;
  }

  /** fsync, verify, rename into place; `created` is false when the blob was already stored. Throws DigestMismatchError. */
  async commit(): Promise<{ digest: Digest; size: number; created: boolean }> {
    await this.fh.sync();
    await this.fh.close();
    this.closed = true;
    const digest = `sha256:${this.hash.digest('hex')}` as Digest;
    if (this.expected && this.expected !== digest) {
      await unlink(this.tmp).catch(() => {});
      throw new DigestMismatchError(this.expected, digest);
    }
    const exists = await this.store.has(digest);
    if (exists) await unlink(this.tmp);
    else await this.store.adopt(this.tmp, digest);
    return { digest, size: this.size, created: !exists };
  }

  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.fh.close().catch(() => {});
    }
    await unlink(this.tmp).catch(() => {});
  }
}
