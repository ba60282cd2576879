import type { EngineClient } from '../../client/index.js';
import type { Cli } from '../cli.js';

// What Node can catch; SIGKILL/SIGSTOP cannot be, SIGCHLD/SIGPIPE/SIGWINCH are ours.
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGVTALRM', 'SIGXCPU', 'SIGXFSZ'];

/** Forward the signals we receive to the container (docker's --sig-proxy). Returns a stop function. */
export function forwardSignals(client: EngineClient, id: string): () => void {
  const handlers = FORWARDED.map((sig) => {
    const h = (): void => {
      client.containerKill(id, sig.slice(3)).catch(() => {});
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

/**
 * Keep the container's TTY the size of ours: resize now (retrying briefly while the
 * process starts) and on every SIGWINCH. Returns a stop function.
 */
export function monitorTtySize(cli: Cli, client: EngineClient, id: string): () => void {
  return monitorTtySizeWith(cli, (size) => client.containerResize(id, size));
}

/** monitorTtySize() through any resize endpoint (an exec's). */
export function monitorTtySizeWith(cli: Cli, resizeTo: (size: { height: number; width: number }) => Promise<void>): () => void {
  const resize = async (): Promise<void> => {
    const [height, width] = cli.ttySize();
    if (height === 0 && width === 0) return;
    await resizeTo({ height, width });
  };
  let stopped = false;
  void (async () => {
    for (let attempt = 0; attempt < 10 && !stopped; attempt++) {
      try {
        await resize();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 10 * (attempt + 1)).unref());
      }
    }
  })();
  const onWinch = (): void => {
    resize().catch(() => {});
  };
  process.on('SIGWINCH', onWinch);
  return () => {
    stopped = true;
    process.off('SIGWINCH', onWinch);
  };
}
