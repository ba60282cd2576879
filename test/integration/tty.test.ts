import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCKER, eventually, isRoot, startDaemon, withBusybox, type RunResult, type TestDaemon } from './harness.js';

const CLI = join(import.meta.dirname, '../../../bin/berth.cjs');
const haveTmux = spawnSync('tmux', ['-V']).status === 0;
const skip = (!isRoot() && 'needs root') || (!haveTmux && 'needs tmux');

function ok(r: RunResult): string {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** A terminal of our own: a tmux server on a private socket, one window per session. */
class Terminal {
  constructor(private readonly sock: string, readonly name: string) {}
  tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-S', this.sock, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }
  static open(sock: string, name: string, command: string[], env: Record<string, string>): Terminal {
    const t = new Terminal(sock, name);
    const quoted = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    // The client's exit code shows once it has ended; the window stays for the screen to be read.
    t.tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', `env ${quoted}; echo client-exited-$?; sleep 60`);
    return t;
  }
  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }
  /** Wait until every pattern matches the screen; the screen in the error otherwise. */
  async waitFor(patterns: RegExp[], timeoutMs = 10_000): Promise<void> {
    try {
      await eventually(() => patterns.every((p) => p.test(this.screen())), timeoutMs);
    } catch {
      throw new Error(`the screen never showed ${patterns.join(' and ')}:\n${this.screen()}`);
    }
  }
  type(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', text);
    this.tmux('send-keys', '-t', this.name, 'Enter');
  }
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }
  resize(cols: number, rows: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }
  close(): void {
    spawnSync('tmux', ['-S', this.sock, 'kill-session', '-t', this.name]);
  }
}

describe('TTYs under a real terminal', { skip }, () => {
  let d: TestDaemon;
  let sock: string;
  before(async () => {
    d = await startDaemon();
    await withBusybox(d);
    sock = join(d.dir, 'tmux.sock');
  });
  after(async () => {
    if (sock) spawnSync('tmux', ['-S', sock, 'kill-server']);
    await d?.cleanup();
  });

  // A detached run exits 0; a detached exec reports "read escape sequence" and exits 1 (docker's CLI does).
  const sleeper = async (n: string): Promise<string> => { ok(await d.berth(['run', '-d', '--name', n, 'busybox', 'sleep', '1000'])); return n; };
  const cases: Array<{ title: string; name: string; detachExit: number; command: (name: string) => string[]; container: (name: string) => Promise<string> }> = [
    { title: 'berth run -it', name: 'tty-berth-run', detachExit: 0, command: (n) => ['node', CLI, 'run', '-it', '--name', n, 'busybox', 'sh'], container: async (n) => n },
    { title: 'docker run -it', name: 'tty-docker-run', detachExit: 0, command: (n) => [DOCKER, 'run', '-it', '--name', n, 'busybox', 'sh'], container: async (n) => n },
    { title: 'docker exec -it', name: 'tty-docker-exec', detachExit: 1, command: (n) => [DOCKER, 'exec', '-it', n, 'sh'], container: sleeper },
    { title: 'berth exec -it', name: 'tty-berth-exec', detachExit: 1, command: (n) => ['node', CLI, 'exec', '-it', n, 'sh'], container: sleeper },
  ];

  for (const c of cases) {
    test(`${c.title}: a prompt, the terminal's size and its resize seen by stty, ctrl-p ctrl-q detaches and leaves it running`, async () => {
      const container = await c.container(c.name);
      const t = Terminal.open(sock, c.name, c.command(c.name), { DOCKER_HOST: d.host });
      try {
        // tmux drops the trailing blank of "/ # ".
        await t.waitFor([/^\/ #$/m], 30_000);
        t.type('stty size');
        await t.waitFor([/^30 100\s*$/m]);
        t.resize(120, 40);
        t.type('stty size');
        await t.waitFor([/^40 120\s*$/m]);
        t.type('tty; echo mark-$((6*7))');
        await t.waitFor([/^\/dev\/pts\/\d+\s*$/m, /^mark-42\s*$/m]);
        t.keys('C-p', 'C-q');
        // The client ends; the shell inside goes on.
        await t.waitFor([new RegExp(`client-exited-${c.detachExit}`)]);
        if (c.detachExit === 1) assert.match(t.screen(), /read escape sequence/);
        assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.Running}}', container])).trim(), 'true');
        if (c.title.includes('exec')) {
          await eventually(async () => ok(await d.docker(['top', container])).split('\n').some((l) => /\ssh$/.test(l)));
        }
      } finally {
        t.close();
        await d.berth(['rm', '-f', container]);
      }
    });
  }

  for (const [title, command] of [['berth', ['node', CLI]], ['docker', [DOCKER]]] as const) {
    test(`${title} start -ai of a container created with -it: a prompt, the terminal's size, input, the shell's exit code`, async () => {
      const name = `tty-${title}-start`;
      ok(await d.docker(['create', '-it', '--name', name, 'busybox', 'sh']));
      const t = Terminal.open(sock, name, [...command, 'start', '-ai', name], { DOCKER_HOST: d.host });
      try {
        await t.waitFor([/^\/ #$/m], 30_000);
        t.type('stty size');
        await t.waitFor([/^30 100\s*$/m]);
        t.type('read x; echo got-$x');
        t.type('typed');
        await t.waitFor([/^got-typed\s*$/m]);
        t.type('exit 3');
        await t.waitFor([/client-exited-3/]);
        assert.equal(ok(await d.docker(['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', name])).trim(), 'false 3');
      } finally {
        t.close();
        await d.berth(['rm', '-f', name]);
      }
    });
  }
});
