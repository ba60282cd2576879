import { ForbiddenError, NotFoundError, UnauthorizedError, UnavailableError, InvalidArgumentError, type EngineError } from '../../base/index.js';
import type { HttpResponse } from './transport.js';
import { readBody } from './transport.js';

interface WireError { code?: unknown; message?: unknown; detail?: unknown }

/** Go's errcode text: `MANIFEST_UNKNOWN` + "manifest unknown" → `manifest unknown: manifest unknown`. */
export function errcodeText(e: WireError): string {
  const code = typeof e.code === 'string' ? e.code.toLowerCase().replace(/_/g, ' ') : 'unknown';
  const msg = typeof e.message === 'string' ? e.message : '';
  return msg ? `${code}: ${msg}` : code;
}

/** The registry's error body (`{"errors":[...]}`) as one Docker-worded message. */
export async function registryErrorText(res: HttpResponse): Promise<{ text: string; codes: string[] }> {
  const body = res.body.readableEnded ? Buffer.alloc(0) : await readBody(res, 1 << 20).catch(() => Buffer.alloc(0));
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: WireError[] };
    if (Array.isArray(doc.errors) && doc.errors.length) {
      return { text: doc.errors.map(errcodeText).join('; '), codes: doc.errors.map((e) => String(e.code ?? '')) };
    }
  } catch { /* not the spec's error body */ }
  const status = `${res.status} ${res.body.statusMessage ?? ''}`.trim();
  return { text: `unexpected status from request to ${res.url}: ${status}`, codes: [] };
}

/** An engine error of the kind a registry status means. */
export function errorForStatus(status: number, text: string): EngineError {
  if (status === 401) return new UnauthorizedError(text);
  if (status === 403) return new ForbiddenError(text);
  if (status === 404) return new NotFoundError(text);
  if (status === 400) return new InvalidArgumentError(text);
  return new UnavailableError(text);
}
