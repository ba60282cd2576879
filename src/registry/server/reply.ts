import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/** A request as the handlers see it. */
export interface RegistryRequest {
  method: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** What a handler answers; the server writes it (a `Location` starting with "/" is made absolute there). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  const body = JSON.stringify(value);
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body };
}
