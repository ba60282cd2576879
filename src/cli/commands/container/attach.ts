import type { ContainerInspectResponse } from '../../../api/types/index.js';
import type { EngineClient } from '../../../client/index.js';
import { attachStreams, EscapeError, forwardSignals, monitorTtySize } from '../../attach/index.js';
import type { Cli } from '../../cli.js';
import { StatusError } from '../../errors.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(fs: FlagSet) {
  return {
    noStdin: fs.bool('no-stdin', '', false, 'Do not attach STDIN'),
    sigProxy: fs.bool('sig-proxy', '', true, 'Proxy all received signals to the process'),
    detachKeys: fs.string('detach-keys', '', '', 'Override the key sequence for detaching a container'),
  };
}

async function inspectRunning(client: EngineClient, id: string): Promise<ContainerInspectResponse> {
  const c = await client.containerInspect(id);
  if (!c.State?.Running) throw new Error('You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) throw new Error('You cannot attach to a restarting container, wait until it is running');
  return c;
}

/** docker's CheckTty: a TTY container with stdin needs a terminal on our side. */
export function checkTty(cli: Cli, attachStdin: boolean, tty: boolean): void {
  if (tty && attachStdin && !cli.in.isTTY) throw new StatusError(1, 'the input device is not a TTY');
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const client = await cli.client();
  const id = args[0]!;
  const { result } = await client.containerWait(id, 'not-running');
  const c = await inspectRunning(client, id);
  const tty = c.Config?.Tty ?? false;
  checkTty(cli, !o.noStdin.get, tty);
  const detachKeys = o.detachKeys.get || (await cli.configDetachKeys());
  const stdin = !o.noStdin.get && (c.Config?.OpenStdin ?? false);
  const stopSignals = o.sigProxy.get && !tty ? forwardSignals(client, id) : () => {};
  try {
    const socket = await client.containerAttach(id, { stream: true, stdin, stdout: true, stderr: true, detachKeys });
    await inspectRunning(client, id);
    let stopResize = (): void => {};
    if (tty && cli.out.isTTY) {
      // Resize one larger first, as docker does, so the process redraws even at the same size.
      const [h, w] = cli.ttySize();
      await client.containerResize(id, { height: h + 1, width: w + 1 }).catch(() => {});
      stopResize = monitorTtySize(cli, client, id);
    }
    try {
      await attachStreams({ socket, tty, io: cli.io, stdin, stdout: true, stderr: true, detachKeys });
    } catch (e) {
      if (e instanceof EscapeError) throw new StatusError(1, e.message);
      throw e;
    } finally {
      stopResize();
    }
  } finally {
    stopSignals();
  }
  const r = await result;
  if (r.Error?.Message) throw new Error(r.Error.Message);
  if (r.StatusCode !== 0) throw new StatusError(r.StatusCode);
}
