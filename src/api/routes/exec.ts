import { DEFAULT_DETACH_KEYS, DetachScanner, InvalidArgumentError, parseDetachKeys } from '../../base/index.js';
import type { ContainerService, ExecRecord } from '../../container/index.js';
import { compareVersions, empty, json, type Router } from '../server/index.js';
import { decodeExecCreate, decodeExecStart, intQuery, type ExecInspectResponse } from '../types/index.js';

export type ExecBackend = Pick<ContainerService, 'createExec' | 'startExec' | 'resizeExec' | 'inspectExec'>;

/** A [height, width] console size from the wire, or none. */
function size(v: [number, number] | null | undefined): { height: number; width: number } | undefined {
  return v ? { height: v[0], width: v[1] } : undefined;
}

export function toExecInspect(e: ExecRecord): ExecInspectResponse {
  return {
    CanRemove: false, DetachKeys: e.config.detachKeys, ID: e.id, Running: e.running, ExitCode: e.exitCode,
    ProcessConfig: { privileged: e.config.privileged, user: e.config.user, tty: e.config.tty, entrypoint: e.config.cmd[0] ?? '', arguments: e.config.cmd.slice(1) },
    OpenStdin: e.config.attachStdin, OpenStderr: e.config.attachStderr, OpenStdout: e.config.attachStdout,
    ContainerID: e.containerId, Pid: e.pid,
  };
}

/**
 * docker exec: POST /containers/{id}/exec, POST /exec/{id}/start (the connection hijacked, output
 * framed unless the start asks for a TTY; with Detach an empty 200), POST /exec/{id}/resize,
 * GET /exec/{id}/json. As dockerd, a start that fails once the connection is taken reports the
 * error as the stream's last line; the exec's exit code (126, 127) says the rest.
 */
export function execRoutes(r: Router, c: ExecBackend): void {
  r.post('/containers/{id}/exec', async (ctx) => {
    const b = (await ctx.body(decodeExecCreate)) ?? {};
    const detachKeys = b.DetachKeys ?? '';
    if (detachKeys) {
      try { parseDetachKeys(detachKeys); } catch { throw new InvalidArgumentError(`Invalid escape keys (${detachKeys}) provided`); }
    }
    const consoleSize = size(b.ConsoleSize);
    const id = c.createExec(ctx.params.id!, {
      cmd: b.Cmd ?? [], env: b.Env ?? [], user: b.User ?? '', workingDir: b.WorkingDir ?? '',
      tty: b.Tty ?? false, privileged: b.Privileged ?? false, detachKeys,
      attachStdin: b.AttachStdin ?? false, attachStdout: b.AttachStdout ?? false, attachStderr: b.AttachStderr ?? false,
      ...(consoleSize ? { consoleSize } : {}),
    });
    return json({ Id: id }, 201);
  });

  r.post('/exec/{id}/start', async (ctx) => {
    const b = (await ctx.body(decodeExecStart)) ?? {};
    const e = c.inspectExec(ctx.params.id!);
    const consoleSize = size(b.ConsoleSize);
    const opts = { tty: b.Tty ?? false, ...(consoleSize ? { consoleSize } : {}) };
    if (b.Detach) {
      const run = await c.startExec(e.id, { ...opts, attach: false });
      run.exited.catch(() => {});
      return empty(200);
    }
    const tty = b.Tty ?? false;
    const multiplexed = !tty && ctx.upgraded && compareVersions(ctx.version, '1.42') >= 0;
    const keys = e.config.detachKeys ? parseDetachKeys(e.config.detachKeys) : [...DEFAULT_DETACH_KEYS];
    return {
      kind: 'upgrade',
      contentType: multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream',
      tty,
      serve: async (conn) => {
        let run;
        try {
          run = await c.startExec(e.id, { ...opts, attach: true });
        } catch (err) {
          await conn.write(1, Buffer.from(`${err instanceof Error ? err.message : String(err)}\r\n`));
          return;
        }
        // The streams end once the exit code is known: a client that read to the end can ask for it.
        await conn.pump(run.streams!, {
          stdout: e.config.attachStdout, stderr: e.config.attachStderr, stdin: e.config.attachStdin, stdinOnce: true,
          detach: tty ? new DetachScanner(keys) : undefined,
        });
      },
    };
  });

  r.post('/exec/{id}/resize', async (ctx) => {
    const height = intQuery(ctx.query, 'h', { required: true });
    const width = intQuery(ctx.query, 'w', { required: true });
    await c.resizeExec(ctx.params.id!, { height, width });
    return { kind: 'text', status: 200, body: '' };
  });

  r.get('/exec/{id}/json', (ctx) => json(toExecInspect(c.inspectExec(ctx.params.id!))));
}
