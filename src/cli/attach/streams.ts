import { spawnSync } from 'node:child_process';
import type { Socket } from 'node:net';
import { demuxStream } from '../../client/index.js';
import type { CliStreams } from '../cli.js';
import { DEFAULT_DETACH_KEYS, DetachScanner, parseDetachKeys } from '../../base/index.js';
import { EscapeError } from './detach-keys.js';

export interface AttachStreamsOptions {
  socket: Socket;
  tty: boolean;
  io: CliStreams;
  /** Forward our stdin to the container */
  stdin: boolean;
  /** Show the container's stdout (and stderr: with a TTY both arrive on one stream) */
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
}

/**
 * Copy a hijacked attach connection to and from our terminal (docker's
 * hijackedIOStreamer): raw mode while a TTY is attached, the detach sequence watched
 * on stdin, stdin EOF half-closes the connection. Resolves when the output ends;
 * rejects with EscapeError when the user detached.
 */
export async function attachStreams(o: AttachStreamsOptions): Promise<void> {
  const { socket, io } = o;
  const stdin = io.stdin;
  let restored = true;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    stdin.setRawMode?.(false);
    setOutputProcessing(true);
  };
  if (o.stdin && o.tty && stdin.isTTY && stdin.setRawMode) {
    stdin.setRawMode(true);
    // libuv's raw mode keeps ONLCR, so the container's "\r\n" would reach the screen as "\r\r\n";
    // docker's raw mode (cfmakeraw) turns output processing off entirely.
    setOutputProcessing(false);
    restored = false;
  }

  let keys: readonly number[] = DEFAULT_DETACH_KEYS;
  if (o.detachKeys) {
    try {
      keys = parseDetachKeys(o.detachKeys);
    } catch {
      keys = DEFAULT_DETACH_KEYS;
    }
  }
  const proxy = o.tty ? new DetachScanner(keys) : undefined;

  let detach: (e: EscapeError) => void = () => {};
  const detached = new Promise<never>((_, reject) => {
    detach = reject;
  });
  detached.catch(() => {});

  let onData: ((d: Buffer | string) => void) | undefined;
  let onEnd: (() => void) | undefined;
  let inputStopped = false;
  // Back-pressure: our stdin waits while the connection has more queued than its buffer holds.
  const onDrain = (): void => { if (!inputStopped) stdin.resume?.(); };
  const stopInput = (): void => {
    inputStopped = true;
    if (onData) stdin.off('data', onData);
    if (onEnd) stdin.off('end', onEnd);
    socket.off('drain', onDrain);
    stdin.pause?.();
  };
  if (o.stdin) {
    onData = (d: Buffer | string) => {
      const buf = typeof d === 'string' ? Buffer.from(d) : d;
      const { forward: data, detach: escaped } = proxy ? proxy.feed(buf) : { forward: buf, detach: false };
      if (data.length > 0 && !socket.destroyed && !socket.write(data)) {
        stdin.pause?.();
        socket.off('drain', onDrain);
        socket.once('drain', onDrain);
      }
      if (escaped) {
        stopInput();
        restore();
        detach(new EscapeError());
      }
    };
    onEnd = () => {
      stopInput();
      if (!socket.destroyed) socket.end();
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume?.();
  } else {
    socket.end();
  }

  const output = (async () => {
    if (!o.stdout && !o.stderr) {
      await new Promise<void>((r) => socket.once('close', () => r()));
      return;
    }
    if (o.tty) {
      for await (const chunk of socket) {
        if (!io.stdout.write(chunk as Buffer)) await new Promise((r) => io.stdout.once('drain', r));
      }
    } else {
      await demuxStream(socket, o.stdout ? io.stdout : null, o.stderr ? io.stderr : null);
    }
  })();

  try {
    await Promise.race([output, detached]);
  } finally {
    stopInput();
    restore();
    socket.destroy();
  }
}

/** `stty [-]opost` on the controlling terminal: Node has no termios binding of its own. */
function setOutputProcessing(on: boolean): void {
  spawnSync('stty', [on ? 'opost' : '-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
}
