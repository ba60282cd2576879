import { DigestMismatchError, isEngineError, UnavailableError, type Digest } from '../../base/index.js';
import type { ContentStore } from '../../image/index.js';
import { errorForStatus, registryErrorText } from './registry-error.js';
import type { RegistrySession } from './session.js';

export interface BlobFetchOptions {
  repo: string;
  digest: Digest;
  size: number;
  attempts: number;
  signal?: AbortSignal;
  /** Bytes of the blob held so far (resumed ones included). */
  onProgress?: (held: number) => void;
  /** Told before each retry: the attempt number (2, 3, ...), the wait before it and the error. */
  onRetry?: (attempt: number, delayMs: number, e: unknown) => void;
}

/** Docker's wait before the n-th retry of a download (5 s, 10 s, ... in Docker; shorter here: loopback registries dominate). */
const backoffMs = (attempt: number): number => Math.min(250 * 2 ** (attempt - 2), 4000);

/** A failure worth another try: the connection broke, or the registry had a passing 5xx. */
function retriable(e: unknown): boolean {
  if (e instanceof DigestMismatchError) return false;
  if (!isEngineError(e)) return true; // a socket error mid-body (ECONNRESET, premature close)
  return e.kind === 'unavailable';
}

/**
 * Download a blob into the content store, verified before it is committed. What an earlier
 * interrupted download left is resumed with `Range: bytes=<held>-`; a broken connection is
 * retried (resuming likewise) up to `attempts` times. A registry that ignores Range gets its
 * first bytes skipped. Returns false when the blob was already stored.
 */
export async function fetchBlob(s: RegistrySession, content: ContentStore, o: BlobFetchOptions): Promise<boolean> {
  if (await content.has(o.digest)) return false;
  await streamBlob((fresh) => openBlobStream(s, content, o, { fresh }), async (b) => {
    for await (const _ of b.bytes) { /* written as it passes */ }
    await b.commit();
  });
  return true;
}

/** A blob download as one stream of its bytes from the first, however many connections it takes. */
export interface BlobStream {
  /**
   * Bytes an earlier download left (read back), then the registry's; each is written to the
   * partial file as it passes. After the last byte the digest is checked: DigestMismatchError
   * comes out of the iteration itself.
   */
  readonly bytes: AsyncIterable<Buffer>;
  /** Bytes held from an earlier download when this one started. */
  readonly held: number;
  /** After the last byte: fsync, verify the digest, commit (DigestMismatchError otherwise, and nothing stays). */
  commit(): Promise<{ digest: Digest; created: boolean }>;
  /** After failure `e`: a broken connection or an abort keep the bytes for a resume; anything else drops them. */
  abort(e: unknown): Promise<void>;
}

/**
 * Open a download of blob `o.digest` whose bytes are consumed as they arrive (a pull unpacks a
 * layer while it downloads). `fresh` drops what an earlier download left.
 */
export async function openBlobStream(s: RegistrySession, content: ContentStore, o: BlobFetchOptions, opts: { fresh?: boolean } = {}): Promise<BlobStream> {
  const w = await content.resumableWriter(o.digest, { fresh: opts.fresh });
  const held = w.held;
  async function* bytes(): AsyncGenerator<Buffer> {
    if (held > 0) yield* w.readHeld();
    yield* download(s, w, o);
    w.verify(); // a consumer reading to the end learns of a bad blob before it commits anything
  }
  return {
    bytes: bytes(),
    held,
    commit: () => w.commit(),
    abort: (e) => w.abort({ keep: !(e instanceof DigestMismatchError) && (retriable(e) || (o.signal?.aborted ?? false)) }),
  };
}

/**
 * Run `use` over a blob stream that it consumes and commits. On failure the stream is aborted
 * (a broken connection keeps its bytes for the next pull); when a resumed download fails for
 * what its held bytes were (a torn partial file that does not verify or parse), it runs once
 * more from the first byte.
 */
export async function streamBlob<T>(open: (fresh: boolean) => Promise<BlobStream>, use: (b: BlobStream) => Promise<T>): Promise<T> {
  for (let fresh = false; ; fresh = true) {
    const b = await open(fresh);
    try {
      return await use(b);
    } catch (e) {
      await b.abort(e);
      if (fresh || b.held === 0 || retriable(e)) throw e;
    }
  }
}

/**
 * The registry's bytes of the blob from `w.size` on, each written to `w` and then yielded;
 * a broken connection is retried from where it broke, up to `o.attempts` times in all.
 */
async function* download(s: RegistrySession, w: Sink, o: BlobFetchOptions): AsyncGenerator<Buffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      yield* fetchFrom(s, w, o);
      return;
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (!retriable(e) || attempt >= o.attempts) throw e;
      const delay = backoffMs(attempt + 1);
      o.onRetry?.(attempt + 1, delay, e);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

interface Sink {
  size: number;
  write(chunk: Uint8Array): Promise<void>;
}

async function* fetchFrom(s: RegistrySession, w: Sink, o: BlobFetchOptions): AsyncGenerator<Buffer> {
  const from = w.size;
  if (from > 0 && from >= o.size) return; // everything is held: verification decides
  const res = await s.request(`/v2/${o.repo}/blobs/${o.digest}`, {
    headers: from > 0 ? { Range: `bytes=${from}-` } : {}, scopes: [`repository:${o.repo}:pull`], signal: o.signal,
  });
  if (res.status !== 200 && res.status !== 206) {
    const { text } = await registryErrorText(res);
    throw res.status >= 500 ? new UnavailableError(text) : errorForStatus(res.status, text);
  }
  let skip = 0;
  if (res.status === 206) {
    const m = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== from) {
      res.body.destroy();
      throw new UnavailableError(`registry answered range ${String(res.headers['content-range'])} for bytes=${from}-`);
    }
  } else skip = from;
  o.onProgress?.(w.size);
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    let c = chunk;
    if (skip > 0) {
      const n = Math.min(skip, c.length);
      skip -= n;
      c = c.subarray(n);
      if (c.length === 0) continue;
    }
    if (w.size + c.length > o.size) {
      res.body.destroy();
      throw new DigestMismatchError(o.digest, `a blob longer than its ${o.size} bytes`);
    }
    await w.write(c);
    o.onProgress?.(w.size);
    yield c;
  }
  if (!res.body.complete) throw new UnavailableError(`Get blob ${o.digest}: unexpected EOF`);
  if (w.size !== o.size) throw new UnavailableError(`Get blob ${o.digest}: unexpected EOF after ${w.size} of ${o.size} bytes`);
}
