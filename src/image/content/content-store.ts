import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DigestMismatchError, digestHex, errnoCode, isDigest, NotFoundError, syncDir, type Digest } from '../../base/index.js';

/**
 * Blobs by digest under `<root>/content/sha256/<hex>`. Writes go to `ingest/`, are hashed
 * while streaming, fsynced, verified against the expected digest and only then renamed
 * into place, so a visible blob is always complete and correct.
 */
export class ContentStore {
  /** Digests whose partial download a writer holds open (one writer per partial file). */
  private readonly resuming = new Set<string>();

  private constructor(readonly dir: string, private readonly ingestDir: string) {}

  static async open(root: string): Promise<ContentStore> {
    const dir = join(root, 'content', 'sha256');
    const ingestDir = join(root, 'content', 'ingest');
    await mkdir(dir, { recursive: true });
    // whatever was being written when the daemon last stopped is garbage now, except the
    // partial downloads a pull resumes (they are verified whole before anything commits)
    await mkdir(ingestDir, { recursive: true });
    for (const name of await readdir(ingestDir)) {
      const path = join(ingestDir, name);
      // a partial download nobody resumed within a day is garbage too
      const stale = PARTIAL_RE.test(name) && Date.now() - (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs > PARTIAL_TTL_MS;
      if (!PARTIAL_RE.test(name) || stale) await rm(path, { recursive: true, force: true });
    }
    return new ContentStore(dir, ingestDir);
  }

  path(digest: Digest | string): string {
    return join(this.dir, digestHex(digest));
  }

  // has, size and readBytes call the kernel directly: a stat or a read of a config (a few kB) in
  // the page cache takes microseconds, a thread-pool round trip a few hundred (a present-image
  // pull made six of them). Blobs of any size are streamed with read().

  async has(digest: Digest | string): Promise<boolean> {
    return statSync(this.path(digest), { throwIfNoEntry: false }) !== undefined;
  }

  async size(digest: Digest | string): Promise<number> {
    const st = statSync(this.path(digest), { throwIfNoEntry: false });
    if (!st) throw new NotFoundError(`content ${digest}: not found`);
    return st.size;
  }

  /** A small blob (an image config or manifest) whole. */
  async readBytes(digest: Digest | string): Promise<Buffer> {
    try {
      return readFileSync(this.path(digest));
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

  /**
   * A writer for a download of `expected` that keeps what it received when aborted with
   * `{ keep: true }`, so a later download resumes from there: `held` bytes are already in
   * and hashed, and writes append to them (fetch from offset `held`). One writer per digest
   * at a time; a second concurrent one gets a plain writer (held 0). `fresh` drops what an
   * earlier download left first.
   */
  async resumableWriter(expected: Digest, opts: { fresh?: boolean } = {}): Promise<BlobWriter> {
    const hex = digestHex(expected);
    if (this.resuming.has(hex)) return this.writer({ expected });
    this.resuming.add(hex);
    const release = (): void => { this.resuming.delete(hex); };
    const tmp = join(this.ingestDir, `partial-${hex}`);
    try {
      if (opts.fresh) await rm(tmp, { force: true });
      const fh = await open(tmp, 'a+', 0o644);
      const hash = createHash('sha256');
      let held = 0;
      try {
        for await (const c of createReadStream('', { fd: fh.fd, autoClose: false, start: 0, highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
          hash.update(c);
          held += c.length;
        }
      } catch (e) {
        await fh.close();
        throw e;
      }
      return new BlobWriter(this, fh, tmp, expected, { hash, held, release });
    } catch (e) {
      release();
      throw e;
    }
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

const PARTIAL_RE = /^partial-[a-f0-9]{64}$/;
const STAGE_SIZE = 1 << 20;
const PARTIAL_TTL_MS = 24 * 3600 * 1000;

export class BlobWriter {
  private readonly hash: Hash;
  size: number;
  /** Bytes a resumed download already holds (see ContentStore.resumableWriter); writes append to them. */
  readonly held: number;
  private closed = false;
  private readonly release: () => void;

  constructor(
    private readonly store: ContentStore, private readonly fh: FileHandle, private readonly tmp: string, private readonly expected?: Digest,
    resumed?: { hash: Hash; held: number; release: () => void },
  ) {
    this.hash = resumed?.hash ?? createHash('sha256');
    this.size = this.held = resumed?.held ?? 0;
    this.release = resumed?.release ?? ((): void => {});
  }

  /** The bytes a resumed download held when it was opened, read back from the partial file. */
  async *readHeld(): AsyncGenerator<Buffer> {
    if (this.held === 0) return;
    yield* createReadStream(this.tmp, { start: 0, end: this.held - 1, highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>;
  }

  /** Bytes are gathered into 1 MiB writes: one thread-pool round trip per MiB, not per network chunk. */
  private readonly stage = Buffer.allocUnsafe(STAGE_SIZE);
  private staged = 0;

  async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    this.size += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, STAGE_SIZE - this.staged);
      this.stage.set(chunk.subarray(off, off + n), this.staged);
      this.staged += n;
      off += n;
      if (this.staged === STAGE_SIZE) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    let off = 0;
    while (off < this.staged) off += (await this.fh.write(this.stage, off, this.staged - off)).bytesWritten;
    this.staged = 0;
  }

  /** Check the bytes written so far against the expected digest (a download's last step, before anything is committed). */
  verify(): void {
    if (!this.expected) return;
    const digest = `sha256:${this.hash.copy().digest('hex')}`;
    if (digest !== this.expected) throw new DigestMismatchError(this.expected, digest);
  }

  /** fsync, verify, rename into place; `created` is false when the blob was already stored. Throws DigestMismatchError. */
  async commit(): Promise<{ digest: Digest; size: number; created: boolean }> {
    try {
      await this.flush();
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
    } finally {
      this.release();
    }
  }

  /** Drop what was written; `keep` leaves a resumable download's bytes for the next try. */
  async abort(opts: { keep?: boolean } = {}): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (opts.keep) await this.flush().then(() => this.fh.sync()).catch(() => {});
      await this.fh.close().catch(() => {});
    }
    if (!opts.keep || this.held === this.size && this.size === 0) await unlink(this.tmp).catch(() => {});
    this.release();
  }
}
