import { isEngineError, type ErrorKind } from '../../base/index.js';

/** The one mapping from classes of failure to HTTP status codes. */
const STATUS: Record<ErrorKind, number> = {
  'not-found': 404,
  conflict: 409,
  'invalid-argument': 400,
  'not-modified': 304,
  unauthorized: 401,
  forbidden: 403,
  unavailable: 503,
  'not-implemented': 501,
  internal: 500,
};

export function statusOf(e: unknown): number {
  return isEngineError(e) ? STATUS[e.kind] : 500;
}

export function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // Node's "ENOSPC: no space left on device, write" in the Go shape clients know.
  const sys = e as NodeJS.ErrnoException;
  if (sys.code === 'ENOSPC' || sys.code === 'EDQUOT') {
    return `${sys.syscall ?? 'write'}${sys.path ? ` ${sys.path}` : ''}: ${sys.code === 'ENOSPC' ? 'no space left on device' : 'disk quota exceeded'}`;
  }
  return e.message;
}
