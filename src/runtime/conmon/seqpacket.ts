/**
 * The one place berth touches node-unix-socket (SOCK_SEQPACKET, which Node lacks).
 * Known bug in 0.2.7: destroy() called synchronously inside the socket's 'data' handler makes the
 * native side panic and abort the whole process ("emitter already unreferenced"). Every teardown
 * here is therefore deferred with setImmediate, whoever asks for it and from wherever.
 */
import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SeqpacketSocket } from 'node-unix-socket';

// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
const MAX_SUN_PATH = 107;

/**
 * One connected SOCK_SEQPACKET socket. Events: 'data' (one packet), 'end' (peer half-closed),
 * 'error', 'close'.
 */
export class SeqpacketConnection extends EventEmitter {
  destroyed = false;
  private closing = false;

  /** @internal use connectSeqpacket() */
  constructor(private readonly sock: SeqpacketSocket) {
    super();
    sock.on('data', (b: Buffer) => this.emit('data', b));
    sock.on('end', () => this.emit('end'));
    sock.on('error', (e: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', e);
      this.destroy();
    });
    sock.on('close', () => this.finish());
  }

  /** Send one packet; resolves when the kernel has it. */
  write(packet: Buffer): Promise<void> {
    if (this.closing) return Promise.reject(new Error('Cannot write to the attach socket: it is closed'));
    return new Promise((resolve, reject) => {
      try {
        this.sock.write(packet, 0, packet.length, () => resolve());
      } catch (e) {
        reject(e);
      }
    });
  }

  /** Half-close: the peer reads EOF, we still receive. */
  end(): void {
    if (this.closing) return;
    setImmediate(() => {
      if (!this.closing) this.sock.end();
    });
  }

  /** Close both directions, after the current event handler has returned. */
  destroy(): void {
    if (this.closing) return;
    this.closing = true;
    setImmediate(() => {
      this.sock.destroy();
      this.finish();
    });
  }

  private finish(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.closing = true;
    this.emit('close');
  }
}

/**
 * Connect to a SOCK_SEQPACKET server. Paths longer than sun_path allows are reached through
 * /proc/self/fd/<dir fd>/<name>, so deep exec roots still work.
 */
export function connectSeqpacket(path: string): Promise<SeqpacketConnection> {
  return new Promise((resolve, reject) => {
    let dirFd: number | undefined;
    let target = path;
    if (Buffer.byteLength(path) > MAX_SUN_PATH) {
      dirFd = openSync(dirname(path), 'r');
      target = `/proc/self/fd/${dirFd}/${basename(path)}`;
    }
    const releaseDir = (): void => {
      if (dirFd !== undefined) closeSync(dirFd);
      dirFd = undefined;
    };
    const sock = new SeqpacketSocket();
    const onError = (e: Error): void => {
      releaseDir();
      reject(e);
    };
    sock.once('error', onError);
    try {
      sock.connect(target, () => {
        releaseDir();
        sock.off('error', onError);
        resolve(new SeqpacketConnection(sock));
      });
    } catch (e) {
      releaseDir();
      setImmediate(() => sock.destroy());
      reject(e);
    }
  });
}
