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

/** JavaScript's own failures: a bug in berth, never something the client should parse. */
const PROGRAMMING_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, URIError, EvalError];

/**
 * The message a client gets: the error's own text, except for a bug in berth (a TypeError and
 * the like), whose text names Node internals; those go to the daemon log only.
 */
export function publicMessageOf(e: unknown): string {
  if (!isEngineError(e) && PROGRAMMING_ERRORS.some((k) => e instanceof k)) return 'internal error in berthd; the daemon log has the details';
  return messageOf(e);
}
