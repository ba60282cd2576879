import type { FileHandle } from 'node:fs/promises';
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
  body?: Buffer | string | Readable | FileBody;
}

/** Bytes of an open file (a blob), written by the addon where the connection allows (sendFileTo); the server closes the file. */
export interface FileBody {
  file: FileHandle;
  start: number;
  length: number;
}

export function isFileBody(body: Reply['body']): body is FileBody {
  return typeof body === 'object' && !Buffer.isBuffer(body) && 'file' in body;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  const body = JSON.stringify(value);
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body };
}
