import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KeyedMutex, errnoCode, type Digest } from '../../../base/index.js';
import { DistributionError } from '../errors.js';
import type { BlobStore } from './blob-store.js';
import type { StorageLayout } from './layout.js';

/** How much of an upload may wait in the page cache before a background fdatasync starts. */
const EARLY_SYNC_BYTES = 8 << 20;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface UploadStatus { id: string; size: number; startedAt: string }

/**
 * Blob upload sessions on disk (`_uploads/<uuid>/data`), so an interrupted upload resumes from
 * what reached the disk, even across a restart. Chunks of one session are appended one at a
 * time; the running hash of a session is kept while its bytes and the file agree, and the file
 * is read again otherwise.
 */
export class UploadStore {
  private readonly lock = new KeyedMutex();
  private readonly hashes = new Map<string, { hash: Hash; size: number }>();

  constructor(private readonly layout: StorageLayout, private readonly blobs: BlobStore) {}

  async start(name: string): Promise<UploadStatus> {
    const id = randomUUID();
    const dir = this.layout.uploadDir(name, id);
    await mkdir(dir, { recursive: true });
    const startedAt = new Date().toISOString();
    await writeFile(join(dir, 'startedat'), startedAt);
    await writeFile(join(dir, 'data'), '');
    this.hashes.set(key(name, id), { hash: createHash('sha256'), size: 0 });
    return { id, size: 0, startedAt };
  }

  async status(name: string, id: string): Promise<UploadStatus> {
    const dir = this.dirOf(name, id);
    try {
      const [st, startedAt] = await Promise.all([stat(join(dir, 'data')), readFile(join(dir, 'startedat'), 'utf8')]);
      return { id, size: st.size, startedAt: startedAt.trim() };
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw unknownUpload();
      throw e;
    }
  }

  /**
   * Append a chunk. `from`, when the client sent Content-Range, must be the session's size
   * (else 416 with the Range the server holds). Returns the new size.
   */
  append(name: string, id: string, body: Readable, opts: { from?: number; length?: number } = {}): Promise<number> {
    return this.lock.run(key(name, id), async () => {
      const { size } = await this.status(name, id);
      if (opts.from !== undefined && opts.from !== size) {
        body.resume();
        throw new DistributionError('RANGE_INVALID', undefined, rangeHeaders(name, id, size));
      }
      await this.write(name, id, size, body, opts.length);
      return (await this.status(name, id)).size;
    });
  }

  /** Verify and commit a session as blob `digest`, with an optional last chunk; the session ends either way on a digest mismatch. */
  finish(name: string, id: string, digest: Digest, body?: Readable, length?: number): Promise<{ size: number }> {
    return this.lock.run(key(name, id), async () => {
      const { size: before } = await this.status(name, id);
      if (body) await this.write(name, id, before, body, length);
      const dataPath = join(this.dirOf(name, id), 'data');
      const fh = await open(dataPath, 'r+');
      let size: number;
      try {
        size = (await fh.stat()).size;
        await fh.sync();
      } finally {
        await fh.close();
      }
      const actual = await this.digestOf(name, id, dataPath, size);
      if (actual !== digest) {
        await this.remove(name, id);
        throw new DistributionError('DIGEST_INVALID', { expected: digest, actual }, {}, `provided digest did not match uploaded content: expected ${digest}, got ${actual}`);
      }
      await this.blobs.commit(dataPath, digest);
      await this.blobs.link(name, digest);
      await this.remove(name, id);
      return { size };
    });
  }

  cancel(name: string, id: string): Promise<void> {
    return this.lock.run(key(name, id), async () => {
      await this.status(name, id);
      await this.remove(name, id);
    });
  }

  private dirOf(name: string, id: string): string {
    if (!UUID_RE.test(id)) throw unknownUpload();
    return this.layout.uploadDir(name, id);
  }

  private async write(name: string, id: string, size: number, body: Readable, length?: number): Promise<void> {
    const k = key(name, id);
    const state = this.hashes.get(k);
    const hash = state && state.size === size ? state.hash.copy() : undefined;
    this.hashes.delete(k);
    let written = 0;
    const fh = await open(join(this.dirOf(name, id), 'data'), 'a');
    // Written data is flushed to disk while more arrives, so that the fsync before the commit
    // finds little left to write.
    let unsynced = 0;
    let syncing: Promise<void> | undefined;
    // One stage: hash and append each batch of chunks with one writev.
    const sink = new Writable({
      highWaterMark: 1 << 20,
      writev(chunks, cb) {
        const bufs = chunks.map((c) => c.chunk as Buffer);
        for (const b of bufs) hash?.update(b);
        appendAll(fh, bufs).then((n) => {
          written += n;
          unsynced += n;
          if (unsynced >= EARLY_SYNC_BYTES && !syncing) {
            unsynced = 0;
            syncing = fh.datasync().catch(() => {}).finally(() => { syncing = undefined; });
          }
          cb();
        }, cb);
      },
    });
    try {
      await pipeline(body, sink);
    } finally {
      await syncing;
      await fh.close();
    }
    if (length !== undefined && written !== length) {
      // The bytes that came stay (the client may resume from them); the announced length was wrong.
      throw new DistributionError('SIZE_INVALID', { expected: length, received: written }, rangeHeaders(name, id, size + written));
    }
    if (hash) this.hashes.set(k, { hash, size: size + written });
  }

  private async digestOf(name: string, id: string, path: string, size: number): Promise<Digest> {
    const state = this.hashes.get(key(name, id));
    if (state && state.size === size) return `sha256:${state.hash.copy().digest('hex')}` as Digest;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return `sha256:${hash.digest('hex')}` as Digest;
  }

  private async remove(name: string, id: string): Promise<void> {
    this.hashes.delete(key(name, id));
    await rm(this.dirOf(name, id), { recursive: true, force: true });
  }
}

/** writev until every byte is written (a regular file may take less than asked in one call). */
async function appendAll(fh: FileHandle, bufs: Buffer[]): Promise<number> {
  const total = bufs.reduce((n, b) => n + b.length, 0);
  let done = 0;
  let rest = bufs;
  while (done < total) {
    const { bytesWritten } = await fh.writev(rest);
    if (bytesWritten === 0) throw new Error('Cannot append to the upload: the file system took no bytes');
    done += bytesWritten;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) { skip -= b.length; continue; }
      next.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    rest = next;
  }
  return total;
}

function key(name: string, id: string): string {
  return `${name}\0${id}`;
}

function unknownUpload(): DistributionError {
  return new DistributionError('BLOB_UPLOAD_UNKNOWN');
}

/** The headers that tell a client where a session stands. */
export function rangeHeaders(name: string, id: string, size: number): Record<string, string> {
  return { Range: `0-${Math.max(size - 1, 0)}`, 'Docker-Upload-UUID': id, Location: `/v2/${name}/blobs/uploads/${id}` };
}

/**
 * Delete upload sessions of every repository started more than `ageMs` ago (by their `startedat`,
 * else the directory's mtime); returns the sessions found. What a crash or a client that went away
 * left is reclaimed.
 */
export async function purgeUploads(layout: StorageLayout, opts: { ageMs: number; dryRun: boolean; now?: number }): Promise<string[]> {
  const cutoff = (opts.now ?? Date.now()) - opts.ageMs;
  const purged: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      if (e.name !== '_uploads') {
        if (!e.name.startsWith('_')) await walk(path);
        continue;
      }
      for (const id of await readdir(path).catch(() => [] as string[])) {
        const session = join(path, id);
        const started = Date.parse((await readFile(join(session, 'startedat'), 'utf8').catch(() => '')).trim());
        const when = Number.isNaN(started) ? (await stat(session).catch(() => undefined))?.mtimeMs ?? Date.now() : started;
        if (when >= cutoff) continue;
        purged.push(session);
        if (!opts.dryRun) await rm(session, { recursive: true, force: true });
      }
    }
  };
  await walk(layout.repositoriesDir());
  return purged;
}
