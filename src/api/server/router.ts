import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';
import { decodeSegment } from './target.js';

/** What a handler returns; the server renders it (handlers never write to the response). */
export type Reply =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'empty'; status: number; headers?: Record<string, string> }
  | { kind: 'text'; status: number; body: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'json-stream'; status?: number; events: AsyncIterable<unknown> }
  | { kind: 'raw-stream'; status?: number; contentType: string; body: Readable | AsyncIterable<Uint8Array>; headers?: Record<string, string> }
  | { kind: 'hijacked' };

export const json = (body: unknown, status = 200): Reply => ({ kind: 'json', status, body });
export const empty = (status = 204): Reply => ({ kind: 'empty', status });

export interface RequestContext {
  req: IncomingMessage;
  /** Present for ordinary requests; absent when the client asked to upgrade. */
  res: ServerResponse | undefined;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client speaks (the path prefix, or the server's maximum). */
  version: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /**
   * Parse the JSON body; `undefined` for an empty body. With `decode`, the body's text goes
   * through it instead (a schema of api/types: Go's types and wording).
   */
  body<T>(decode?: (text: string) => T): Promise<T | undefined>;
  /**
   * Take over the connection for a raw bidirectional stream (attach). Answers 101 to an
   * upgrade request and 200 otherwise, with Docker's stream content type.
   */
  hijack(contentType: string): Duplex;
}

export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

interface Route {
  method: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

/**
 * Method + path matching. `{name}` matches one segment; `{name*}` matches the rest
 * including slashes (image names such as "library/busybox" appear in paths).
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const names: string[] = [];
    const src = pattern.replace(/[.]/g, '\\.').replace(/\{(\w+)(\*?)\}/g, (_m, name: string, star: string) => {
      names.push(name);
      return star ? '(.+)' : '([^/]+)';
    });
    this.routes.push({ method, re: new RegExp(`^${src}$`), names, handler });
    return this;
  }

  get(p: string, h: Handler): this { return this.add('GET', p, h); }
  post(p: string, h: Handler): this { return this.add('POST', p, h); }
  put(p: string, h: Handler): this { return this.add('PUT', p, h); }
  delete(p: string, h: Handler): this { return this.add('DELETE', p, h); }
  head(p: string, h: Handler): this { return this.add('HEAD', p, h); }

  /** The handler and path parameters, `'method'` if only the method differs, or undefined. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let methodMismatch = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      if (r.method !== method) { methodMismatch = true; continue; }
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => { params[n] = decodeSegment(m[i + 1]!); });
      return { handler: r.handler, params };
    }
    return methodMismatch ? 'method' : undefined;
  }
}
