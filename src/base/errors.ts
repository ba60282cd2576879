/** Classes of failure. The API server maps each kind to an HTTP status in one place. */
export type ErrorKind =
  | 'not-found' | 'conflict' | 'invalid-argument' | 'not-modified' | 'unauthorized'
  | 'forbidden' | 'unavailable' | 'not-implemented' | 'internal';

export abstract class EngineError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class NotFoundError extends EngineError { readonly kind = 'not-found' as const; }
export class ConflictError extends EngineError { readonly kind = 'conflict' as const; }
export class InvalidArgumentError extends EngineError { readonly kind = 'invalid-argument' as const; }
export class NotModifiedError extends EngineError { readonly kind = 'not-modified' as const; }
export class UnauthorizedError extends EngineError { readonly kind = 'unauthorized' as const; }
export class ForbiddenError extends EngineError { readonly kind = 'forbidden' as const; }
export class UnavailableError extends EngineError { readonly kind = 'unavailable' as const; }
export class NotImplementedError extends EngineError { readonly kind = 'not-implemented' as const; }
export class InternalError extends EngineError { readonly kind = 'internal' as const; }

/** A blob whose bytes do not hash to the digest it was announced with. */
export class DigestMismatchError extends InvalidArgumentError {
  constructor(readonly expected: string, readonly actual: string) {
    super(`Digest mismatch: expected ${expected}, got ${actual}`);
  }
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}

/** The errno code of a Node system error, if any ("ENOENT", ...). */
export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
