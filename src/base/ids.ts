import { randomBytes } from 'node:crypto';

/** A new 64-hex object id, as Docker's container and exec ids. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

/** The 12-character short form Docker prints. */
export function shortId(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice(7) : id;
  return hex.slice(0, 12);
}

const HEX_RE = /^[a-f0-9]+$/;
export function isHexPrefix(s: string): boolean {
  return s.length > 0 && s.length <= 64 && HEX_RE.test(s);
}
