import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { InternalError, type Logger } from '../../base/index.js';
import { spawnDaemonPiped } from '../../host/index.js';
import type { RuntimeProcess } from '../../oci/index.js';
import { attachConmon, type AttachStreams } from './attach.js';
import { extractRuntimeMessage, OciRuntimeError } from './runtime-error.js';

export interface ConmonExecOptions {
  conmonPath: string;
  runtimePath: string;
  runtimeRoot: string;
  containerId: string;
  execId: string;
  /** The exec's own directory (RuntimeLayout.execDir): process spec, attach socket, ctl FIFO, exit file. */
  dir: string;
  process: RuntimeProcess;
  env: NodeJS.ProcessEnv;
  /** Keep a stdin pipe the attach socket writes to (exec -i). */
  stdin: boolean;
  /** Attach before the process starts, so nothing of its output is missed; false for exec -d. */
  attach: boolean;
  log: Logger;
}

export interface ConmonExec {
  pid: number;
  streams: AttachStreams | undefined;
  /** Settles once conmon has reaped the process: its exit code (conmon's report, else its exit file). */
  exited: Promise<{ exitCode: number }>;
}

/**
 * Run a process in a running container under its own conmon (docs/decisions/0011-exec-path.md),
 * speaking conmon's exec protocol: a byte on the start pipe lets conmon fork; with --exec-attach
 * it answers on the attach pipe once its attach socket exists, waits for a second byte (sent
 * once we are attached) and only then runs `<runtime> exec`; the sync pipe reports the pid (or
 * the runtime's error) and later the exit code. The directory goes when the process has ended.
 */
export async function execConmon(o: ConmonExecOptions): Promise<ConmonExec> {
  await rm(o.dir, { recursive: true, force: true });
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const spec = join(o.dir, 'process.json');
  await writeFile(spec, JSON.stringify(o.process));
  const args = [
    '--api-version', '1',
    '-c', o.containerId, '-u', o.execId,
    '-r', o.runtimePath,
    '-b', o.dir,
    '-p', join(o.dir, 'pidfile'),
    '-P', join(o.dir, 'conmon.pid'),
    '-0', o.dir,
    '-l', 'none',
    '--full-attach',
    '-e', '--exec-process-spec', spec,
    '--runtime-arg', `--root=${o.runtimeRoot}`,
    '--log-level', 'error',
  ];
  if (o.attach) args.push('--exec-attach');
  if (o.process.terminal) args.push('-t');
  if (o.stdin) args.push('-i');
  o.log.debug('conmon exec', { id: o.containerId, exec: o.execId, args });
  const d = await spawnDaemonPiped(o.conmonPath, args, {
    syncEnv: '_OCI_SYNCPIPE', env: o.env, cwd: o.dir,
    pipes: o.attach ? [{ env: '_OCI_STARTPIPE', dir: 'in' }, { env: '_OCI_ATTACHPIPE', dir: 'out' }] : [],
  });
  const stderr: Buffer[] = [];
  d.stderr.on('data', (b: Buffer) => stderr.push(b));
  d.stderr.on('error', () => {});
  const sync = lines(d.sync);
  const failed = (what: string): Error => new InternalError(`conmon failed to exec in container ${o.containerId}: ${Buffer.concat(stderr).toString().trim() || what}`);
  let streams: AttachStreams | undefined;
  try {
    if (o.attach) {
      const start = d.pipes[0] as Writable;
      const attachPipe = lines(d.pipes[1] as Readable);
      start.on('error', () => {});
      start.write('0');
      const ready = await attachPipe.next();
      attachPipe.close();
      if (!ready) throw failed('no answer on the attach pipe');
      streams = await attachConmon(join(o.dir, 'attach'), { stdin: o.stdin });
      // A socket torn down under a read reports it on both outputs: whoever reads them may be gone.
      streams.stdout.on('error', () => {});
      streams.stderr.on('error', () => {});
      start.end('1');
    }
    const first = await sync.next();
    o.log.debug('conmon exec report', { exec: o.execId, report: first });
    const report = parseReport(first);
    if (!report) throw failed('no report on the sync pipe');
    if (report.data <= 0) throw new OciRuntimeError('exec', extractRuntimeMessage(report.message ?? `exit status ${-report.data}`));
    const exited = sync.next().then(async (line) => {
      o.log.debug('conmon exec exit', { exec: o.execId, report: line });
      sync.close();
      d.stderr.destroy();
      const r = parseReport(line);
      const exitCode = r ? r.data : await readExitFile(o.dir);
      await rm(o.dir, { recursive: true, force: true }).catch(() => {});
      return { exitCode };
    });
    return { pid: report.data, streams: streams && endingAfter(streams, exited), exited };
  } catch (e) {
    streams?.close();
    sync.close();
    d.stderr.destroy();
    for (const p of d.pipes) p.destroy();
    await rm(o.dir, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}

/**
 * The streams with their end held until the exit code is known: a client that reads the output
 * to its end and then asks how the process ended (docker exec) gets the answer.
 */
function endingAfter(s: AttachStreams, exited: Promise<unknown>): AttachStreams {
  const hold = (src: Readable): Readable => {
    const out = new PassThrough();
    src.on('data', (b: Buffer) => out.write(b));
    src.once('end', () => { void exited.finally(() => out.end()); });
    src.once('error', () => { void exited.finally(() => out.end()); });
    return out;
  };
  return { stdout: hold(s.stdout), stderr: hold(s.stderr), ...(s.stdin ? { stdin: s.stdin } : {}), close: () => s.close() };
}

async function readExitFile(dir: string): Promise<number> {
  const text = await readFile(join(dir, 'exit'), 'utf8').catch(() => '');
  const code = Number.parseInt(text.trim(), 10);
  return Number.isNaN(code) ? -1 : code;
}

/** conmon's sync-pipe line with --api-version 1: {"data": n, "message"?: "..."}. */
function parseReport(line: string | undefined): { data: number; message?: string } | undefined {
  if (!line) return undefined;
  try {
    const v = JSON.parse(line) as { data?: unknown; message?: unknown };
    if (typeof v.data !== 'number') return undefined;
    return { data: v.data, ...(typeof v.message === 'string' ? { message: v.message } : {}) };
  } catch {
    return undefined;
  }
}

/** Newline-separated lines from a pipe, one at a time; undefined once it has closed. */
function lines(stream: Readable): { next(): Promise<string | undefined>; close(): void } {
  let pending = Buffer.alloc(0);
  let ended = false;
  const ready: string[] = [];
  const waiting: Array<(l: string | undefined) => void> = [];
  const flush = (): void => {
    while (waiting.length && (ready.length || ended)) waiting.shift()!(ready.shift());
  };
  stream.on('data', (b: Buffer) => {
    pending = Buffer.concat([pending, b]);
    for (let nl = pending.indexOf(0x0a); nl >= 0; nl = pending.indexOf(0x0a)) {
      ready.push(pending.subarray(0, nl).toString());
      pending = pending.subarray(nl + 1);
    }
    flush();
  });
  const end = (): void => {
    if (ended) return;
    if (pending.length) ready.push(pending.toString());
    pending = Buffer.alloc(0);
    ended = true;
    flush();
  };
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
  return {
    next: () => new Promise((resolve) => { waiting.push(resolve); flush(); }),
    close: () => { end(); stream.destroy(); },
  };
}
