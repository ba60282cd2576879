import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { eventually } from './harness.js';

/** A free loopback TCP port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ReferenceRegistry {
  host: string;
  stop(): Promise<void>;
}

/** Debian's docker-registry (the reference implementation) on its own port and storage dir. */
export async function startReferenceRegistry(dir: string, opts: { tls?: { cert: string; key: string }; htpasswd?: string } = {}): Promise<ReferenceRegistry> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const lines = ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, '  delete:', '    enabled: true',
    'http:', `  addr: 127.0.0.1:${port}`];
  if (opts.tls) lines.push('  tls:', `    certificate: ${opts.tls.cert}`, `    key: ${opts.tls.key}`);
  if (opts.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: berth-test', `    path: ${opts.htpasswd}`);
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  await eventually(() => new Promise<boolean>((resolve) => {
    const r = request({ host: '127.0.0.1', port, path: '/v2/' }, (res) => { res.resume(); resolve(true); });
    r.on('error', () => resolve(false));
    r.end();
  }), 15_000);
  return {
    host,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** A CA and a server certificate for 127.0.0.1 and localhost (openssl). */
export function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const sh = (args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=berth-test-ca']);
  sh(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  sh(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext']);
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

/** An htpasswd file with one bcrypt user (the registry accepts only bcrypt). */
export function writeHtpasswd(path: string, user: string, password: string): void {
  const bcrypt = createRequire(import.meta.url)('bcryptjs') as { hashSync(s: string, rounds: number): string };
  writeFileSync(path, `${user}:${bcrypt.hashSync(password, 8)}\n`);
}

export interface FaultProxy {
  host: string;
  /** Each request's method, path and Range header, in order. */
  seen: Array<{ method: string; path: string; range?: string }>;
  /** Cut blob GETs of `digest` after `bytes` body bytes (per response; only the first `times` responses when set), or stop cutting (undefined). */
  drop: { digest: string; bytes: number; times?: number } | undefined;
  /** Flip the byte at body offset `at` of blob GETs of `digest` (a registry serving bad bytes). */
  corrupt: { digest: string; at: number } | undefined;
  /** What GET /v1/search answers (the reference registry has no search endpoint). */
  searchResults: unknown[];
  close(): Promise<void>;
}

/**
 * A tiny HTTP server in front of a registry, for faults the real one never makes: it cuts
 * the connection partway through a blob, and answers the v1 search endpoint.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [uhost, uport] = upstream.split(':') as [string, string];
  const proxy: FaultProxy = { host: '', seen: [], drop: undefined, corrupt: undefined, searchResults: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    proxy.seen.push({ method: req.method ?? 'GET', path, ...(req.headers.range ? { range: String(req.headers.range) } : {}) });
    if (path.startsWith('/v1/search')) {
      const q = new URL(path, 'http://x').searchParams;
      const n = Number(q.get('n') ?? 25);
      const results = (proxy.searchResults as Array<{ name: string }>).filter((r) => r.name.includes(q.get('q') ?? '')).slice(0, n);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ num_results: results.length, query: q.get('q'), results }));
      return;
    }
    const up = request({ host: uhost, port: Number(uport), method: req.method, path, headers: { ...req.headers, host: upstream } }, (ures: IncomingMessage) => {
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      const drop = proxy.drop;
      const corrupt = proxy.corrupt;
      if (req.method === 'GET' && corrupt && path.includes(`/blobs/${corrupt.digest}`)) {
        let sent = 0;
        ures.on('data', (c: Buffer) => {
          if (corrupt.at >= sent && corrupt.at < sent + c.length) {
            c = Buffer.from(c);
            c[corrupt.at - sent] = c[corrupt.at - sent]! ^ 0xff;
          }
          sent += c.length;
          res.write(c);
        });
        ures.on('end', () => res.end());
        return;
      }
      if (req.method === 'GET' && drop && path.includes(`/blobs/${drop.digest}`) && (drop.times === undefined || drop.times-- > 0)) {
        let sent = 0;
        ures.on('data', (c: Buffer) => {
          if (sent >= drop.bytes) return;
          const part = c.subarray(0, drop.bytes - sent);
          sent += part.length;
          res.write(part);
          if (sent >= drop.bytes) {
            ures.destroy();
            res.socket?.destroy();
          }
        });
        ures.on('end', () => res.end());
        return;
      }
      ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  proxy.host = `127.0.0.1:${port}`;
  proxy.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return proxy;
}

export const sha256hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** Raw distribution API calls, to build what berth itself never pushes (indexes, zstd layers). */
export async function putBlob(base: string, repo: string, bytes: Buffer): Promise<string> {
  const digest = `sha256:${sha256hex(bytes)}`;
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
  const loc = new URL(start.headers.get('location')!, base);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`upload put: ${put.status} ${await put.text()}`);
  return digest;
}

export async function putManifest(base: string, repo: string, ref: string, mediaType: string, doc: unknown): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify(doc));
  const res = await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body: bytes, headers: { 'Content-Type': mediaType } });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return { digest: `sha256:${sha256hex(bytes)}`, size: bytes.length };
}

export async function getJson(base: string, path: string, accept?: string): Promise<{ body: Record<string, unknown>; bytes: Buffer }> {
  const res = await fetch(`${base}${path}`, { headers: accept ? { Accept: accept } : {} });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { body: JSON.parse(bytes.toString()) as Record<string, unknown>, bytes };
}
