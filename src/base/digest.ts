import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { InvalidArgumentError } from './errors.js';

/** A verified-shape content digest, `sha256:<64 hex>`. */
export type Digest = `sha256:${string}` & { readonly __digest: unique symbol };

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

export function parseDigest(s: string): Digest {
  if (!isDigest(s)) throw new InvalidArgumentError(`invalid digest "${s}": expected sha256:<64 hex digits>`);
  return s;
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/** The hex part of a digest. */
export function digestHex(d: Digest | string): string {
  const i = d.indexOf(':');
  return i < 0 ? d : d.slice(i + 1);
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  /** Valid once the stream has ended. */
  digest(): Digest {
    return `sha256:${this.hash.digest('hex')}` as Digest;
  }
}
