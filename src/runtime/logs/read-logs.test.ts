import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLogs, type ReadLogsOptions } from './read-logs.js';
import { findTailStart } from './tail.js';
import { nanosToRfc3339Nano, parseK8sLine, timeToNanos } from './k8s-line.js';
import type { LogEntry } from './assembler.js';

let dir = '';
before(async () => { dir = await mkdtemp(join(tmpdir(), 'berth-logs-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

let seq = 0;
/** A k8s-file line; second s of 2024-05-01 local +02:00 (= 08:00:s UTC). */
function line(s: number, stream: 'stdout' | 'stderr', tag: 'F' | 'P', text: string): string {
  const ss = String(s).padStart(2, '0');
  return `2024-05-01T10:00:${ss}.123456700+02:00 ${stream} ${tag} ${text}\n`;
}

async function logFile(content: string): Promise<string> {
  const p = join(dir, `log-${seq++}.log`);
  await writeFile(p, content);
  return p;
}

async function collect(it: AsyncIterable<LogEntry>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const e of it) out.push([e.stream, e.line.toString()]);
  return out;
}

const ALL: ReadLogsOptions = { stdout: true, stderr: true };

test('parseK8sLine() and times convert conmon lines to RFC3339Nano UTC', () => {
  const l = parseK8sLine(Buffer.from('2024-05-01T10:00:01.123456700+02:00 stderr P abc def'))!;
  assert.equal(l.stream, 'stderr');
  assert.equal(l.partial, true);
  assert.equal(l.content.toString(), 'abc def');
  assert.equal(nanosToRfc3339Nano(timeToNanos(l.rawTime)!), '2024-05-01T08:00:01.1234567Z');
  assert.equal(nanosToRfc3339Nano(timeToNanos('2024-05-01T08:00:01.000000000+00:00')!), '2024-05-01T08:00:01Z');
  assert.equal(parseK8sLine(Buffer.from('2024-05-01T10:00:01+02:00 stdout F'))!.content.length, 0);
  assert.equal(parseK8sLine(Buffer.from('garbage')), undefined);
});

test('readLogs() joins partial lines per stream and keeps streams apart', async () => {
  const p = await logFile(
    line(1, 'stdout', 'P', 'hel') + line(1, 'stderr', 'F', 'oops') + line(2, 'stdout', 'P', 'lo ') +
    line(2, 'stdout', 'F', 'world') + line(3, 'stdout', 'F', '') + line(4, 'stderr', 'P', 'no newline'));
  assert.deepEqual(await collect(readLogs(p, ALL)), [
    ['stderr', 'oops\n'], ['stdout', 'hello world\n'], ['stdout', '\n'], ['stderr', 'no newline'],
  ]);
  assert.deepEqual(await collect(readLogs(p, { stdout: true, stderr: false })), [['stdout', 'hello world\n'], ['stdout', '\n']]);
  assert.deepEqual(await collect(readLogs(p, { stdout: false, stderr: true })), [['stderr', 'oops\n'], ['stderr', 'no newline']]);
});

test('readLogs() reports the time of a line first fragment', async () => {
  const p = await logFile(line(1, 'stdout', 'P', 'a') + line(2, 'stdout', 'F', 'b'));
  const [e] = await (async () => { const a: LogEntry[] = []; for await (const x of readLogs(p, ALL)) a.push(x); return a; })();
  assert.equal(e!.time, '2024-05-01T08:00:01.1234567Z');
});

test('readLogs() filters by since and until', async () => {
  const p = await logFile(line(1, 'stdout', 'F', 'one') + line(2, 'stdout', 'F', 'two') + line(3, 'stdout', 'F', 'three'));
  const since = new Date('2024-05-01T08:00:02Z');
  const until = new Date('2024-05-01T08:00:02.5Z');
  assert.deepEqual(await collect(readLogs(p, { ...ALL, since })), [['stdout', 'two\n'], ['stdout', 'three\n']]);
  assert.deepEqual(await collect(readLogs(p, { ...ALL, since, until })), [['stdout', 'two\n']]);
});

test('readLogs() tail returns the last lines of the selected streams only', async () => {
  let content = '';
  for (let i = 0; i < 50; i++) content += line(i % 60, i % 3 === 0 ? 'stderr' : 'stdout', 'F', `line ${i}`);
  const p = await logFile(content);
  assert.deepEqual(await collect(readLogs(p, { ...ALL, tail: 2 })), [['stderr', 'line 48\n'], ['stdout', 'line 49\n']]);
  assert.deepEqual(await collect(readLogs(p, { stdout: false, stderr: true, tail: 2 })), [['stderr', 'line 45\n'], ['stderr', 'line 48\n']]);
  assert.deepEqual(await collect(readLogs(p, { ...ALL, tail: 0 })), []);
  assert.equal((await collect(readLogs(p, { ...ALL, tail: 500 }))).length, 50);
});

test('findTailStart() never cuts a partial line, whatever the chunk size', async () => {
  // Fragments of a stdout line interleave with several stderr lines.
  const content = line(0, 'stdout', 'F', 'old') + line(1, 'stdout', 'P', 'AAA') + line(2, 'stderr', 'F', 'e1') +
    line(3, 'stderr', 'F', 'e2') + line(4, 'stdout', 'P', 'BBB') + line(5, 'stderr', 'F', 'e3') +
    line(6, 'stdout', 'F', 'CCC') + 'half-written line without newl';
  const p = await logFile(content);
  const fh = await open(p, 'r');
  try {
    for (const chunkSize of [1, 3, 7, 64, 4096]) {
      for (let n = 0; n <= 5; n++) {
        const start = await findTailStart(fh, { size: content.length, n, want: () => true, chunkSize });
        const lines = content.slice(start).split('\n').slice(0, -1);
        const fStdout = lines.filter((l) => l.includes(' stdout F ')).length;
        if (n >= 1) assert.ok(lines.some((l) => l.includes('AAA')), `n=${n} chunk=${chunkSize} keeps the first fragment`);
        if (n === 0) assert.equal(start, content.lastIndexOf('\n') + 1);
        assert.ok(fStdout >= 1 || n === 0);
      }
    }
  } finally {
    await fh.close();
  }
  assert.deepEqual(await collect(readLogs(p, { ...ALL, tail: 1 })), [['stdout', 'AAABBBCCC\n']]);
  assert.deepEqual(await collect(readLogs(p, { ...ALL, tail: 2 })), [['stderr', 'e3\n'], ['stdout', 'AAABBBCCC\n']]);
});

test('readLogs() tail on a large file reads only its end: far faster than reading it all', async () => {
  const p = join(dir, 'big.log');
  const block = line(1, 'stdout', 'F', 'x'.repeat(100)).repeat(10000);
  for (let i = 0; i < 20; i++) await appendFile(p, block); // ~27 MB
  await appendFile(p, line(9, 'stderr', 'F', 'last'));
  const timed = async (opts: ReadLogsOptions): Promise<{ ms: number; got: Array<[string, string]> }> => {
    const t0 = process.hrtime.bigint();
    const got = await collect(readLogs(p, opts));
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, got };
  };
  const tail = await timed({ ...ALL, tail: 2 });
  assert.deepEqual(tail.got, [['stdout', `${'x'.repeat(100)}\n`], ['stderr', 'last\n']]);
  // Compared with a whole read on the same machine at the same moment, so load cannot fail it.
  const whole = await timed({ ...ALL });
  assert.equal(whole.got.length, 200_001);
  assert.ok(tail.ms * 5 < whole.ms, `tail took ${tail.ms} ms, the whole file ${whole.ms} ms`);
});

test('readLogs() follow streams appended lines and drains them when stopWhen resolves', async () => {
  const p = await logFile(line(1, 'stdout', 'F', 'before'));
  let stop!: () => void;
  const stopWhen = new Promise<void>((r) => { stop = r; });
  const got: string[] = [];
  const it = readLogs(p, { ...ALL, follow: true, stopWhen, tail: 1 });
  for await (const e of it) {
    got.push(e.line.toString());
    if (got.length === 1) await appendFile(p, line(2, 'stderr', 'P', 'par') + line(3, 'stderr', 'F', 'tial'));
    if (got.length === 2) {
      await appendFile(p, line(4, 'stdout', 'F', 'after stop') + line(5, 'stdout', 'P', 'unfinished'));
      stop();
    }
  }
  assert.deepEqual(got, ['before\n', 'partial\n', 'after stop\n', 'unfinished']);
});

test('readLogs() follow waits for a log file that does not exist yet and ends on abort', async () => {
  const p = join(dir, 'later.log');
  const ac = new AbortController();
  const got: string[] = [];
  const done = (async () => {
    for await (const e of readLogs(p, { ...ALL, follow: true, signal: ac.signal })) {
      got.push(e.line.toString());
      ac.abort();
    }
  })();
  await writeFile(p, line(1, 'stdout', 'F', 'hello'));
  await done;
  assert.deepEqual(got, ['hello\n']);
});

test('readLogs() follow with an until decades away keeps following (beyond setTimeout\'s range)', async () => {
  const p = await logFile(line(1, 'stdout', 'F', 'before'));
  const ac = new AbortController();
  const got: string[] = [];
  let ended = false;
  const until = new Date(Date.now() + 40 * 365 * 86_400_000);
  const reading = (async () => {
    for await (const e of readLogs(p, { ...ALL, follow: true, until, signal: ac.signal })) got.push(e.line.toString());
    ended = true;
  })();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(ended, false, 'the stream is still open');
  await appendFile(p, line(2, 'stdout', 'F', 'after'));
  while (got.length < 2) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await reading;
  assert.deepEqual(got, ['before\n', 'after\n']);
});
