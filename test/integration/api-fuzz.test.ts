// A bounded fuzz of the API edge over berthd's own unix socket: malformed request lines and
// targets, bad percent-escapes, wrongly typed create bodies, huge and truncated bodies, attach
// streams abandoned mid-flight and headers cut off early. berthd must answer /_ping after it,
// never answer 500, and its RSS may not grow by 20 MB.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, isRoot, startDaemon, withBusybox, type TestDaemon, seededRandom } from './harness.js';

const skip = !isRoot() && 'needs root';
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? Date.now() % 1_000_000);
const PARALLEL = 16;
const INTERNALS = /TypeError|RangeError|ReferenceError|SyntaxError|ERR_[A-Z_]{3,}|node:internal|URI malformed|at .+\.js:\d+/;


interface Exchange {
  /** Bytes to send. */
  send: Buffer | string;
  /** Close the connection right after sending instead of waiting for the answer. */
  abandon?: 'end' | 'destroy';
}

describe('API fuzz', { skip }, () => {
  let d: TestDaemon;
  let pid = 0;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
    pid = Number(readFileSync(join(d.dir, 'berthd.pid'), 'utf8').trim());
  });
  after(async () => { await d?.cleanup(); });

  /** One connection: send, then the status and body of the answer ('' when none came). */
  const exchange = (x: Exchange): Promise<{ status: number; text: string }> => new Promise((resolve) => {
    const c = connect(d.sock);
    const chunks: Buffer[] = [];
    const done = (): void => {
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.[01] (-?\d{2,3})/.exec(text)?.[1] ?? 0), text });
    };
    // A request berthd neither answers nor closes within 20 s is a failure of its own (status -1).
    const timer = setTimeout(() => { chunks.unshift(Buffer.from('HTTP/1.1 -01 no answer\r\n\r\n')); c.destroy(); }, 20_000);
    c.on('data', (b) => chunks.push(b));
    c.on('error', () => {});
    c.on('close', () => { clearTimeout(timer); done(); });
    c.write(x.send, () => {
      if (x.abandon === 'end') c.end();
      else if (x.abandon === 'destroy') c.destroy();
    });
  });

  const fds = (): number => readdirSync(`/proc/${pid}/fd`).length;
  const rssKiB = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

  test('malformed, wrongly typed and abandoned requests never end berthd, never get a 500, and leak under 20 MB', { timeout: 300_000 }, async (t) => {
    t.diagnostic(`seed ${SEED} (BERTH_FUZZ_SEED replays it)`);
    const rand = seededRandom(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const req = (method: string, target: string, body?: string | Buffer, headers: Record<string, string | number> = {}): string | Buffer => {
      const b = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
      const h = { Host: 'x', Connection: 'close', ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': b.length } : {}), ...headers };
      return Buffer.concat([Buffer.from(`${method} ${target} HTTP/1.1\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1'), b]);
    };

    // A container whose stdin is echoed back, for attach streams to abandon.
    const created = await d.api('POST', '/containers/create?name=fuzz-cat', { Image: 'busybox', Cmd: ['cat'], OpenStdin: true, AttachStdin: true });
    assert.equal(created.status, 201, created.body);
    const catId = created.json().Id as string;
    assert.equal((await d.api('POST', `/containers/${catId}/start`)).status, 204);

    // Warm up every path once before the baseline, so that code loading is not counted as growth.
    const warm: Exchange[] = [];
    for (let i = 0; i < 100; i++) warm.push({ send: req('GET', '/v1.47/containers/json?all=1') }, { send: req('POST', '/containers/create', '{"Image":5}') });
    await runAll(warm);
    const rssBefore = rssKiB();
    const fdsBefore = fds();

    const targets = ['//[', '//a:b', '//a:99999/_ping', '//%zz', '/%', '/%zz', '/%%', '/containers/%zz/json', '/containers/%ff%fe/json',
      '/containers/%00/json', '/v1.47/../_ping', '/v9.99/_ping', '/v0.1/_ping', '/v1.47/containers/json?limit=abc', '/v1.47/containers/json?filters=%7B',
      '/v1.47/containers/json?filters=%zz', `/containers/${catId}/kill?signal=SIGBOGUS`, `/containers/${catId}/stop?t=x`, '/images/%E0%A4%A/json',
      '/images/UPPER%2Fx/json', `/${'a/'.repeat(2000)}`, '/_ping?' + 'a=b&'.repeat(2000), '*', 'http://x/_ping', 'http://[/_ping', '/swarm/leave',
      '/events?since=x', '/events?until=1.5x', '/events?since=-1&until=1', '/events?until=1&filters=%7B', '/events?until=1&filters={"type":[5]}',
      `/containers/${catId}/attach?stream=1&stdout=1&detachKeys=bogus`, `/containers/${catId}/attach?stream=1&stdout=1&detachKeys=ctrl-%zz`];
    const methods = ['GET', 'POST', 'DELETE', 'HEAD', 'PUT', 'OPTIONS', 'PATCH', 'BREW', 'G\x00T', ''];
    const base = {
      Image: 'berth-fuzz-none:1', Cmd: ['true'], Env: ['A=1'], Labels: { a: 'b' }, WorkingDir: '/', Tty: false, StopSignal: 'SIGTERM',
      HostConfig: { Privileged: false, Memory: 0, ShmSize: 0, OomScoreAdj: 0, CapAdd: [], ExtraHosts: [], RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, Ulimits: [], LogConfig: { Type: '', Config: {} } },
      NetworkingConfig: { EndpointsConfig: {} },
    };
    const values = ['"x"', '"false"', '"64m"', '1.5', '-1', '1e30', '99999999999999999999', 'true', '[]', '{}', 'null', '[1]', '{"a":1}',
      '"a\\u0000b"', '["a\\u0000b"]', '"CAP_BOGUS"', '["CAP_BOGUS"]', '"SIGBOGUS"', '5000', '["bad"]', '"rel"', '[[[[[]]]]]', `"${'x'.repeat(70000)}"`];

    const cases: Exchange[] = [];
    // Malformed request lines and targets.
    for (let i = 0; i < 600; i++) {
      const kind = rand();
      if (kind < 0.5) cases.push({ send: req(pick(methods), pick(targets)) });
      // Noise, then end: a server may wait on leading empty lines, but not past the client's end.
      else if (kind < 0.7) cases.push({ send: Buffer.concat([randomBytes(Math.floor(rand() * 200)), Buffer.from('\r\n\r\n')]), abandon: 'end' });
      else if (kind < 0.85) cases.push({ send: `${pick(methods)} ${pick(targets)} HTTP/${pick(['1.1', '1.0', '2.0', '9', 'x'])}\r\n\r\n` });
      else cases.push({ send: req('GET', pick(targets), undefined, { 'Transfer-Encoding': pick(['chunked', 'gzip', 'x']), 'Content-Length': pick(['5', '-1', 'abc']) }) });
    }
    // Bad percent-escapes in ids, on every kind of route.
    const escapes = ['%', '%z', '%zz', '%ff', '%C0%AF', '%00', '%2e%2e', '%2F', 'a%', '%E0%A4%A'];
    const idRoutes = ['GET /containers/{}/json', 'POST /containers/{}/start', 'POST /containers/{}/kill', 'DELETE /containers/{}', 'GET /containers/{}/logs?stdout=1',
      'POST /containers/{}/attach?stream=1&stdout=1', 'GET /images/{}/json', 'POST /images/{}/tag?repo=x', 'DELETE /images/{}', 'GET /networks/{}', 'GET /nodes/{}'];
    for (let i = 0; i < 500; i++) {
      const [m, p] = pick(idRoutes).split(' ') as [string, string];
      cases.push({ send: req(m, p.replace('{}', `${pick(['', 'abc', catId.slice(0, 6)])}${pick(escapes)}${pick(['', 'x', pick(escapes)])}`)) });
    }
    // Wrongly typed create bodies: one field of a valid body replaced by a value of another type.
    const paths: string[][] = [];
    const walk = (v: unknown, p: string[]): void => {
      paths.push(p);
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
    };
    walk(base, []);
    for (let i = 0; i < 1200; i++) {
      const path = pick(paths.filter((p) => p.length > 0));
      const marker = '"@@FUZZ@@"';
      const doc = structuredClone(base) as Record<string, unknown>;
      let at = doc;
      for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
      at[path[path.length - 1]!] = '@@FUZZ@@';
      cases.push({ send: req('POST', '/v1.47/containers/create', JSON.stringify(doc).replace(marker, pick(values))) });
    }
    // Truncated and huge bodies.
    for (let i = 0; i < 150; i++) {
      const body = JSON.stringify(base);
      const cut = Math.floor(rand() * body.length);
      if (rand() < 0.5) cases.push({ send: req('POST', '/containers/create', body.slice(0, cut)) });
      else cases.push({ send: Buffer.concat([Buffer.from(req('POST', '/containers/create', undefined, { 'Content-Type': 'application/json', 'Content-Length': body.length })), Buffer.from(body.slice(0, cut))]), abandon: pick(['end', 'destroy'] as const) });
    }
    for (let i = 0; i < 3; i++) cases.push({ send: req('POST', '/containers/create', `{"Image":"${'x'.repeat(17 * 1024 * 1024)}"}`) });
    // Headers cut off early (slowloris-like, then gone).
    for (let i = 0; i < 200; i++) {
      const full = req('GET', '/v1.47/containers/json').toString();
      cases.push({ send: full.slice(0, 1 + Math.floor(rand() * (full.length - 5))), abandon: pick(['end', 'destroy'] as const) });
    }
    // Streams abandoned mid-flight: uploads cut off, follows and exports left, attach without an upgrade.
    const tarStart = Buffer.concat([Buffer.from('a/b'), Buffer.alloc(97), Buffer.from('0000644\0'), randomBytes(2000)]);
    for (let i = 0; i < 40; i++) {
      const target = pick(['/images/load', '/images/load?quiet=1', '/images/create?fromSrc=-&repo=fuzz', '/images/create?fromSrc=-']);
      cases.push({ send: Buffer.concat([Buffer.from(req('POST', target, undefined, { 'Content-Type': 'application/x-tar', 'Content-Length': 10_000_000 })), tarStart]), abandon: pick(['end', 'destroy'] as const) });
    }
    for (let i = 0; i < 40; i++) {
      cases.push({ send: req('GET', pick([`/containers/${catId}/logs?follow=1&stdout=1&stderr=1`, `/containers/${catId}/export`, `/containers/${catId}/logs?stdout=1&tail=5`]), undefined, { Connection: 'keep-alive' }), abandon: 'destroy' });
      cases.push({ send: req('POST', `/containers/${catId}/attach?stream=1&stdin=1&stdout=1`, 'x'.repeat(1000), { 'Content-Type': 'text/plain' }), abandon: pick(['end', 'destroy'] as const) });
      cases.push({ send: req('GET', pick(['/events', '/events?since=0', '/events?filters={"type":["container"]}']), undefined, { Connection: 'keep-alive' }), abandon: 'destroy' });
    }
    // Shuffle so that kinds interleave on the parallel connections.
    for (let i = cases.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [cases[i], cases[j]] = [cases[j]!, cases[i]!]; }

    const started = Date.now();
    const answers = await runAll(cases);
    // Attach streams abandoned mid-flight: upgrade, send input the container echoes, then close.
    for (let i = 0; i < 90; i++) await abandonAttach(catId, (['destroy', 'end', 'before-answer'] as const)[i % 3]!);
    t.diagnostic(`${cases.length + 90} requests in ${Date.now() - started} ms`);

    assert.deepEqual(answers.filter((a) => a.status === -1).map((a) => a.sent), [], 'every request is answered or closed');
    const fiveHundreds = answers.filter((a) => a.status >= 500 && a.status !== 501 && a.status !== 503);
    assert.deepEqual(fiveHundreds.map((a) => `${a.sent} → ${a.text.slice(0, 300)}`), [], 'no request gets a 500');
    const leaks = answers.filter((a) => INTERNALS.test(a.text.slice(a.text.indexOf('\r\n\r\n'))));
    assert.deepEqual(leaks.map((a) => `${a.sent} → ${a.text.slice(0, 300)}`), [], 'no answer shows Node internals');
    assert.ok(!answers.some((a) => a.status === 201), 'no fuzzed body created a container');

    const ping = await d.api('GET', '/_ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.body, 'OK');
    const ps = await d.docker(['ps', '-a', '--format', '{{.Names}}']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.equal(ps.stdout, 'fuzz-cat\n', 'only the container the test made exists');
    assert.equal((await d.docker(['inspect', 'fuzz-cat'])).code, 0);
    const grewMiB = (rssKiB() - rssBefore) / 1024;
    t.diagnostic(`RSS grew ${grewMiB.toFixed(1)} MiB`);
    assert.ok(grewMiB < 20, `berthd's RSS grew by ${grewMiB.toFixed(1)} MiB`);
    assert.doesNotMatch(d.log(), /outside its error handling/);
    // Abandoned streams give back their descriptors (conmon attachments, log files, sockets).
    await eventually(() => fds() <= fdsBefore + 4, 10_000).catch(() => {});
    assert.ok(fds() <= fdsBefore + 4, `berthd holds ${fds() - fdsBefore} more descriptors than before`);
  });

  async function runAll(cases: Exchange[]): Promise<Array<{ status: number; text: string; sent: string }>> {
    const out: Array<{ status: number; text: string; sent: string }> = [];
    let next = 0;
    await Promise.all(Array.from({ length: PARALLEL }, async () => {
      while (next < cases.length) {
        const x = cases[next++]!;
        out.push({ ...(await exchange(x)), sent: JSON.stringify(x.send.toString('latin1').slice(0, 160)) });
      }
    }));
    return out;
  }

  /**
   * Attach with Upgrade: tcp, wait for the 101 and some echoed output, then close or end without
   * reading on; or close before berthd has answered (the attachment is made for a client gone).
   */
  function abandonAttach(id: string, how: 'destroy' | 'end' | 'before-answer'): Promise<void> {
    return new Promise((resolve) => {
      const c = connect(d.sock);
      if (how === 'before-answer') {
        c.on('error', () => {});
        c.on('close', () => resolve());
        c.write(`POST /v1.47/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`, () => c.destroy());
        return;
      }
      let seen = '';
      let sent = false;
      c.on('error', () => {});
      c.on('close', () => resolve());
      c.on('data', (b) => {
        seen += b.toString('latin1');
        if (!sent && seen.includes('\r\n\r\n')) {
          sent = true;
          assert.match(seen, /^HTTP\/1\.1 101 /);
          // Far more input than the echo fits in a socket buffer: berthd is still writing when the client goes.
          c.write(Buffer.alloc(512 * 1024, 0x61));
          c.write('\n', () => (how === 'destroy' ? c.destroy() : c.end()));
        } else if (sent && how === 'end' && seen.length > 1024) {
          c.destroy();
        }
      });
      c.write(`POST /v1.47/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    });
  }
});
