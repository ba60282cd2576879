import { attachStreams, EscapeError, forwardSignals, monitorTtySize, waitExitOrRemoved } from '../../attach/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { containerFlags } from '../../opts/container-options.js';
import { errorText } from '../common.js';
import { checkTty } from './attach.js';
import { createContainer, createFlags, parseOrExit, withHelp } from './create.js';

export function flags(fs: FlagSet) {
  return {
    detach: fs.bool('detach', 'd', false, 'Run container in background and print container ID'),
    sigProxy: fs.bool('sig-proxy', '', true, 'Proxy received signals to the process'),
    detachKeys: fs.string('detach-keys', '', '', 'Override the key sequence for detaching a container'),
    create: createFlags(fs, 'run'),
    container: containerFlags(fs),
    fs,
  };
}

/** docker's toStatusError: 127 when the command is missing, 126 when it cannot run, else 125. */
export function toStatusError(e: unknown): StatusError {
  const msg = errorText(e);
  let code = 125;
  if (msg.includes('executable file not found') || msg.includes('no such file or directory') || msg.includes('system cannot find the file specified')) code = 127;
  else if (msg.includes('permission denied') || msg.includes('is a directory')) code = 126;
  return new StatusError(code, withHelp(e, 'run'));
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const { body, cidfile } = parseOrExit('run', o.container, o.create, o.fs, args);
  if (!o.detach.get) checkTty(cli, body.AttachStdin ?? false, body.Tty ?? false);
  else {
    if (o.container.attach.get.length !== 0) throw new Error('conflicting options: cannot specify both --attach and --detach');
    Object.assign(body, { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false });
  }
  let id: string;
  try {
    id = await createContainer(cli, body, cidfile, o.create);
  } catch (e) {
    throw toStatusError(e);
  }
  const client = await cli.client();
  const stopSignals = o.sigProxy.get ? forwardSignals(client, id) : () => {};
  try {
    const attach = !!(body.AttachStdin || body.AttachStdout || body.AttachStderr);
    let streaming: Promise<void> | undefined;
    let socket: import('node:net').Socket | undefined;
    if (attach) {
      const detachKeys = o.detachKeys.get || (await cli.configDetachKeys());
      socket = await client.containerAttach(id, {
        stream: true, stdin: body.AttachStdin, stdout: body.AttachStdout, stderr: body.AttachStderr, detachKeys,
      });
      streaming = attachStreams({
        socket, tty: body.Tty ?? false, io: cli.io, stdin: body.AttachStdin ?? false,
        stdout: body.AttachStdout ?? false, stderr: body.AttachStderr ?? false, detachKeys,
      });
      streaming.catch(() => {});
    }
    const autoRemove = body.HostConfig?.AutoRemove ?? false;
    // Only an attached run reports the exit; a detached one must not hold a wait request open.
    const { exit: status } = attach ? await waitExitOrRemoved(client, id, autoRemove, cli.err) : { exit: Promise.resolve(0) };
    try {
      await client.containerStart(id);
    } catch (e) {
      if (socket) {
        socket.destroy();
        await streaming?.catch(() => {});
      }
      if (autoRemove) await status;
      throw toStatusError(e);
    }
    if (!attach) {
      await cli.print(`${id}\n`);
      return;
    }
    const stopResize = body.Tty && cli.out.isTTY ? monitorTtySize(cli, client, id) : () => {};
    try {
      const first = await Promise.race([
        streaming!.then(() => ({ kind: 'stream' as const }), (e: unknown) => ({ kind: 'stream-error' as const, e })),
        status.then((code) => ({ kind: 'status' as const, code })),
      ]);
      if (first.kind === 'stream-error') {
        if (first.e instanceof EscapeError) return;
        throw first.e;
      }
      if (first.kind === 'status' && !body.AttachStdout && !body.AttachStderr) socket?.destroy();
      await streaming!.catch(() => {});
      const code = await status;
      if (code !== 0) throw new StatusError(code);
    } finally {
      stopResize();
    }
  } finally {
    stopSignals();
  }
}
