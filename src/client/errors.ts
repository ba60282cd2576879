import { EngineError } from '../base/index.js';
import type { ErrorKind } from '../base/index.js';

const KIND_BY_STATUS: Record<number, ErrorKind> = {
  304: 'not-modified', 400: 'invalid-argument', 401: 'unauthorized', 403: 'forbidden',
  404: 'not-found', 409: 'conflict', 501: 'not-implemented', 503: 'unavailable',
};

/**
 * A non-2xx answer of the Engine API. `message` reads as docker prints it
 * ("Error response from daemon: No such container: x"); `serverMessage` is the bare text.
 */
export class ClientError extends EngineError {
  readonly kind: ErrorKind;
  constructor(readonly status: number, readonly serverMessage: string) {
    super(`Error response from daemon: ${serverMessage}`);
    this.kind = KIND_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'invalid-argument');
  }
}

/** The daemon could not be reached at all (socket missing, refused, timed out). */
export class ConnectionError extends EngineError {
  readonly kind = 'unavailable' as const;
}

export function isNotFound(e: unknown): boolean {
  return e instanceof EngineError && e.kind === 'not-found';
}
