import { EngineError, type ErrorKind } from '../../base/index.js';

/**
 * The error codes of the OCI distribution spec (and distribution's own), each with the HTTP
 * status and message the reference registry answers with. This table is the registry wire's
 * one mapping from failures to statuses, as src/api/server/errors.ts is the Engine API's.
 */
export const DISTRIBUTION_CODES = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry', kind: 'not-found' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid', kind: 'invalid-argument' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry', kind: 'not-found' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content', kind: 'invalid-argument' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'blob unknown to registry', kind: 'invalid-argument' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid', kind: 'invalid-argument' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown', kind: 'not-found' },
  NAME_INVALID: { status: 400, message: 'invalid repository name', kind: 'invalid-argument' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry', kind: 'not-found' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length', kind: 'invalid-argument' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI', kind: 'invalid-argument' },
  RANGE_INVALID: { status: 416, message: 'invalid content range', kind: 'invalid-argument' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested', kind: 'invalid-argument' },
  UNAUTHORIZED: { status: 401, message: 'authentication required', kind: 'unauthorized' },
  DENIED: { status: 403, message: 'requested access to the resource is denied', kind: 'forbidden' },
  UNSUPPORTED: { status: 405, message: 'The operation is unsupported.', kind: 'not-implemented' },
  UNKNOWN: { status: 500, message: 'unknown error', kind: 'internal' },
} as const satisfies Record<string, { status: number; message: string; kind: ErrorKind }>;

export type DistributionCode = keyof typeof DISTRIBUTION_CODES;

/** A failure the registry reports with one of the spec's codes, an optional detail and response headers. */
export class DistributionError extends EngineError {
  readonly kind: ErrorKind;
  constructor(
    readonly code: DistributionCode,
    readonly detail?: unknown,
    readonly headers: Record<string, string> = {},
    message?: string,
  ) {
    super(message ?? DISTRIBUTION_CODES[code].message);
    this.kind = DISTRIBUTION_CODES[code].kind;
  }
}

/** The status and `{"errors":[...]}` body of any failure; what is not a DistributionError is UNKNOWN (500). */
export function errorResponse(e: unknown): { status: number; body: string; headers: Record<string, string> } {
  const err = e instanceof DistributionError ? e : new DistributionError('UNKNOWN', undefined, {}, e instanceof Error ? e.message : String(e));
  const entry: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.detail !== undefined) entry['detail'] = err.detail;
  return { status: DISTRIBUTION_CODES[err.code].status, body: JSON.stringify({ errors: [entry] }) + '\n', headers: err.headers };
}
