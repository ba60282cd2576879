import { DEFAULT_DETACH_KEYS, DetachScanner, InvalidArgumentError, boolParam, parseDetachKeys } from '../../base/index.js';
import type { ContainerService } from '../../container/index.js';
import { compareVersions, type Reply, type RequestContext } from '../server/index.js';

export type AttachBackend = Pick<ContainerService, 'get' | 'attach' | 'logs'>;

/** A `detachKeys` value as bytes, the default for an empty one; refused in dockerd's words. */
export function detachKeysParam(spec: string): number[] {
  if (spec === '') return [...DEFAULT_DETACH_KEYS];
  try {
    return parseDetachKeys(spec);
  } catch {
    throw new InvalidArgumentError(`Invalid detach keys (${spec}) provided`);
  }
}

/**
 * POST /containers/{id}/attach, as dockerd serves it: `logs` replays what the container
 * wrote, `stream` follows it live (a stopped container from its next start), and the
 * connection ends when both are done. On a TTY the detach keys end the attach and leave
 * the container running.
 */
export function attachReply(ctx: RequestContext, c: AttachBackend): Reply {
  const q = ctx.query;
  const keys = detachKeysParam(q.get('detachKeys') ?? '');
  const wantStdout = boolParam(q.get('stdout'));
  const wantStderr = boolParam(q.get('stderr'));
  const logs = boolParam(q.get('logs'));
  const stream = boolParam(q.get('stream'));
  const rec0 = c.get(ctx.params.id!);
  const tty = rec0.config.Tty;
  const stdin = boolParam(q.get('stdin')) && rec0.config.OpenStdin && stream;
  const multiplexed = !tty && ctx.upgraded && compareVersions(ctx.version, '1.42') >= 0;
  // The server answers first: the client starts the container only once the attach is established.
  return {
    kind: 'upgrade',
    contentType: multiplexed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream',
    tty,
    serve: async (conn) => {
      // Registered before anything is awaited, so a start that follows misses no output.
      const attached = stream ? c.attach(rec0.id, { stdin, signal: conn.signal }) : undefined;
      attached?.catch(() => {});
      if (logs && (wantStdout || wantStderr)) {
        for await (const e of c.logs(rec0.id, { follow: false, stdout: wantStdout, stderr: wantStderr, signal: conn.signal })) {
          await conn.write(e.stream === 'stdout' ? 1 : 2, e.line);
          if (conn.signal.aborted) break;
        }
      }
      if (!attached) return;
      const { streams } = await attached;
      await conn.pump(streams, {
        stdout: wantStdout, stderr: wantStderr, stdin, stdinOnce: rec0.config.StdinOnce,
        detach: tty ? new DetachScanner(keys) : undefined,
      });
    },
  };
}
