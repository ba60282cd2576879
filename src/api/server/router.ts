import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { AttachedStdio, PumpOptions } from './stream-pump.js';
import { decodeSegment } from './target.js';

/**
 * What a handler returns; the server renders it (handlers never write to the response).
 * The stream kinds are "headers now, body later": the server sends and flushes the headers
 * before the body is asked for (clients such as the docker CLI wait for them before they go
 * on), and owns what happens when the body fails after them.
 */
export type Reply =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'empty'; status: number; headers?: Record<string, string> }
  | { kind: 'text'; status: number; body: string; contentType?: string; headers?: Record<string, string> }
  /** Docker's JSON message stream: an error after the headers travels in the stream. */
  | { kind: 'json-stream'; status?: number; events: AsyncIterable<unknown> }
  /** A body of bytes; an error after the headers cuts the connection. */
  | { kind: 'stream'; status?: number; contentType: string; body: StreamBody; headers?: Record<string, string> }
  /**
   * The connection taken over for a raw bidirectional stream (attach): 101 to an upgrade
   * request, 200 otherwise, then `serve` runs with the connection; it is ended when `serve`
   * returns and cut when `serve` throws.
   */
  | { kind: 'upgrade'; contentType: string; tty: boolean; serve(conn: HijackedConnection): Promise<void> };

/** An iterable or readable of bytes, or a writer of them (its sink is ended for it if it does not). */
export type StreamBody = Readable | AsyncIterable<Uint8Array> | ((sink: Writable, signal: AbortSignal) => Promise<void>);

/** A hijacked connection as a handler sees it: container output in, client input out. */
export interface HijackedConnection {
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** Write container output (framed unless TTY); resolves once the connection can take more. */
  write(stream: 1 | 2, data: Buffer): Promise<void>;
  /** Pump a container's stdio both ways until the attach ends (see pumpStreams). */
  pump(stdio: AttachedStdio, opts: Omit<PumpOptions, 'tty' | 'body'>): Promise<void>;
}

export const json = (body: unknown, status = 200): Reply => ({ kind: 'json', status, body });
export const empty = (status = 204): Reply => ({ kind: 'empty', status });

export interface RequestContext {
  /** The request, to read its headers and body; the response is the server's to write. */
  req: IncomingMessage;
  /** The client asked to upgrade the connection (an attach with `Upgrade: tcp`). */
  upgraded: boolean;
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
