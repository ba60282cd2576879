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
  const w = await content.resumableWriter(o.digest);
  let keep = true;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await fetchInto(s, w, o);
        break;
      } catch (e) {
        if (o.signal?.aborted) throw o.signal.reason;
        if (!retriable(e) || attempt >= o.attempts) throw e;
        const delay = backoffMs(attempt + 1);
        o.onRetry?.(attempt + 1, delay, e);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    try {
      await w.commit();
    } catch (e) {
      keep = false;
      throw e;
    }
    return true;
  } catch (e) {
    if (e instanceof DigestMismatchError) keep = false;
    await w.abort({ keep });
    throw e;
  }
}

interface Sink {
  size: number;
  write(chunk: Uint8Array): Promise<void>;
}

async function fetchInto(s: RegistrySession, w: Sink, o: BlobFetchOptions): Promise<void> {
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
  }
  if (!res.body.complete) throw new UnavailableError(`Get blob ${o.digest}: unexpected EOF`);
  if (w.size !== o.size) throw new UnavailableError(`Get blob ${o.digest}: unexpected EOF after ${w.size} of ${o.size} bytes`);
}
