import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { UnavailableError } from '../base/index.js';
import { hostAddon } from './native.js';

/**
 * Transfers running at once. Each holds a thread of libuv's pool (4 by default, shared with every
 * fs call) while its socket takes bytes; a stalled socket hands its thread back within 250 ms
 * (send-file.c). Beyond this, callers stream as before.
 */
const MAX_TRANSFERS = 2;
let transfers = 0;

/** The fd under a plain TCP or unix socket, or undefined: TLS (the bytes must be encrypted), a closed socket, a stream without one. */
function socketFd(socket: Socket): number | undefined {
  if ((socket as TLSSocket).encrypted || socket.destroyed) return undefined;
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Write `length` bytes of `file` from `offset` to `socket` with sendfile(2): the kernel moves them
 * from the page cache, nothing passes through JS (docs/decisions/0019). With `copy`, the addon
 * reads them into a buffer of its own and writes that (for a reader on this machine, which then
 * finds them fresh in the CPU's caches); still no JS in between. Resolves false, having
 * written nothing, when it cannot: no addon (or one without sendFile), a TLS or fd-less socket,
 * bytes Node still holds corked, or MAX_TRANSFERS running; the caller then writes the bytes
 * itself. Otherwise waits until what Node queued on the socket before (an HTTP header) has gone
 * out, sends, and resolves true; rejects when the socket fails or closes midway (EPIPE,
 * ECONNRESET: a client gone), after which the caller destroys it. The caller must not write to
 * the socket until this settles, and keeps `file` open until then.
 */
export async function sendFileTo(socket: Socket, file: FileHandle, range: { offset: number; length: number; copy?: boolean }): Promise<boolean> {
  const addon = hostAddon;
  if (!addon?.sendFile || transfers >= MAX_TRANSFERS || socket.writableCorked > 0 || socketFd(socket) === undefined) return false;
  transfers++;
  const cancel = new Int32Array(1);
  const stop = (): void => { cancel[0] = 1; };
  socket.once('close', stop);
  try {
    await flushed(socket);
    let sent = 0;
    while (sent < range.length) {
      // Looked up again before each call: the addon dups it at once, so a number Node closed is never used.
      const fd = socketFd(socket);
      if (fd === undefined || cancel[0] !== 0) throw new UnavailableError('Cannot send the file: the connection closed');
      sent += await addon.sendFile(fd, file.fd, range.offset + sent, range.length - sent, cancel, range.copy === true);
    }
    return true;
  } finally {
    transfers--;
    socket.off('close', stop);
  }
}

/** Resolves once every byte written to the socket so far has left Node for the kernel. */
function flushed(socket: Socket): Promise<void> {
  if (socket.writableLength === 0) return Promise.resolve();
  // An empty write completes after those before it.
  return new Promise((res, rej) => socket.write(Buffer.alloc(0), (e) => (e ? rej(e) : res())));
}
