import type { ExecCreateRequest } from '../../../api/types/index.js';
import { attachStreams, EscapeError, monitorTtySizeWith } from '../../attach/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { readKvStrings } from '../../opts/kv-files.js';
import { checkTty } from './attach.js';

export function flags(fs: FlagSet) {
  return {
    detach: fs.bool('detach', 'd', false, 'Detached mode: run command in the background'),
    detachKeys: fs.string('detach-keys', '', '', 'Override the key sequence for detaching a container'),
    env: fs.list('env', 'e', 'Set environment variables'),
    envFile: fs.list('env-file', '', 'Read in a file of environment variables'),
    interactive: fs.bool('interactive', 'i', false, 'Keep STDIN open even if not attached'),
    privileged: fs.bool('privileged', '', false, 'Give extended privileges to the command'),
    tty: fs.bool('tty', 't', false, 'Allocate a pseudo-TTY'),
    user: fs.string('user', 'u', '', 'Username or UID (format: "<name|uid>[:<group|gid>]")'),
    workdir: fs.string('workdir', 'w', '', 'Working directory inside the container'),
  };
}

/**
 * docker exec: create the exec, then start it detached (-d) or attached with the terminal in raw
 * mode and its size followed (-t); the exit code is the process's, read back from the exec.
 */
export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const [container, ...cmd] = args as [string, ...string[]];
  const client = await cli.client();
  const detach = o.detach.get;
  const tty = o.tty.get;
  const body: ExecCreateRequest = {
    User: o.user.get, Privileged: o.privileged.get, Tty: tty, WorkingDir: o.workdir.get,
    Env: readKvStrings(o.envFile.get, o.env.get, { env: true }), Cmd: cmd,
    DetachKeys: o.detachKeys.get || (await cli.configDetachKeys()) || '',
    AttachStdin: !detach && o.interactive.get, AttachStdout: !detach, AttachStderr: !detach,
  };
  await client.containerInspect(container);
  if (!detach) checkTty(cli, body.AttachStdin ?? false, tty);
  if (tty && cli.out.isTTY) {
    const [h, w] = cli.ttySize();
    if (h > 0 || w > 0) body.ConsoleSize = [h, w];
  }
  const execId = await client.containerExecCreate(container, body);
  if (!execId) throw new Error('exec ID empty');
  if (detach) {
    await client.execStartDetached(execId, { Tty: tty, ...(body.ConsoleSize ? { ConsoleSize: body.ConsoleSize } : {}) });
    return;
  }
  const socket = await client.execStartAttached(execId, { Tty: tty, ...(body.ConsoleSize ? { ConsoleSize: body.ConsoleSize } : {}) });
  const stopResize = tty && cli.out.isTTY ? monitorTtySizeWith(cli, (size) => client.execResize(execId, size)) : () => {};
  try {
    await attachStreams({ socket, tty, io: cli.io, stdin: body.AttachStdin ?? false, stdout: true, stderr: true, detachKeys: body.DetachKeys });
  } catch (e) {
    // As docker's exec: the detach is reported ("read escape sequence") with 1; the process runs on.
    if (e instanceof EscapeError) throw new StatusError(1, e.message);
    throw e;
  } finally {
    stopResize();
  }
  const r = await client.execInspect(execId);
  if (r.ExitCode) throw new StatusError(r.ExitCode);
}
