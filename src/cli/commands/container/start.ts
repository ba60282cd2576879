import { attachStreams, EscapeError, forwardSignals, monitorTtySize, waitExitOrRemoved } from '../../attach/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';
import { errorText } from '../common.js';

export function flags(fs: FlagSet) {
  const f = {
    attach: fs.bool('attach', 'a', false, 'Attach STDOUT/STDERR and forward signals'),
    checkpoint: fs.string('checkpoint', '', '', 'Restore from this checkpoint'),
    checkpointDir: fs.string('checkpoint-dir', '', '', 'Use a custom checkpoint storage directory'),
    detachKeys: fs.string('detach-keys', '', '', 'Override the key sequence for detaching a container'),
    interactive: fs.bool('interactive', 'i', false, "Attach container's STDIN"),
  };
  fs.annotate('checkpoint', 'experimental');
  fs.annotate('checkpoint-dir', 'experimental');
  return f;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  if (o.attach.get || o.interactive.get) {
    if (args.length > 1) throw new Error('you cannot start and attach multiple containers at once');
    const c = await client.containerInspect(args[0]!);
    const id = c.Id!;
    const tty = c.Config?.Tty ?? false;
    const stopSignals = !tty ? forwardSignals(client, id) : () => {};
    try {
      const detachKeys = o.detachKeys.get || (await cli.configDetachKeys());
      const stdin = o.interactive.get && (c.Config?.OpenStdin ?? false);
      const socket = await client.containerAttach(id, { stream: true, stdin, stdout: true, stderr: true, detachKeys });
      const streaming = attachStreams({ socket, tty, io: cli.io, stdin, stdout: true, stderr: true, detachKeys });
      streaming.catch(() => {});
      const { exit: status } = await waitExitOrRemoved(client, id, c.HostConfig?.AutoRemove ?? false, cli.err);
      try {
        await client.containerStart(id);
      } catch (e) {
        socket.destroy();
        await streaming.catch(() => {});
        if (c.HostConfig?.AutoRemove) await status;
        throw e;
      }
      const stopResize = tty && cli.out.isTTY ? monitorTtySize(cli, client, id) : () => {};
      try {
        await streaming;
      } catch (e) {
        if (e instanceof EscapeError) return;
        throw e;
      } finally {
        stopResize();
      }
      const code = await status;
      if (code !== 0) throw new StatusError(code);
    } finally {
      stopSignals();
    }
    return;
  }
  if (o.checkpoint.get) {
    if (args.length > 1) throw new Error('you cannot restore multiple containers at once');
    await client.containerStart(args[0]!, { checkpoint: o.checkpoint.get, checkpointDir: o.checkpointDir.get });
    return;
  }
  const failed: string[] = [];
  for (const id of args) {
    try {
      await client.containerStart(id);
      await cli.print(`${id}\n`);
    } catch (e) {
      cli.printErr(`${errorText(e)}\n`);
      failed.push(id);
    }
  }
  if (failed.length > 0) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
}
