import type { Duplex, Readable } from 'node:stream';
import { frame } from './stream-frames.js';

/** A container's attached stdio, as the pump reads and writes it. */
export interface AttachedStdio {
  stdout: Readable;
  stderr: Readable;
  stdin?: NodeJS.WritableStream | undefined;
  /** Detach from the container: the outputs end, stdin is dropped. */
  close(): void;
}

export interface PumpOptions {
  /** A TTY's output goes out as it comes; otherwise in frames with Docker's 8-byte header. */
  tty: boolean;
  /** Which outputs the client asked for; the others are read and dropped. */
  stdout: boolean;
  stderr: boolean;
  /** Forward the client's bytes to the container's stdin. */
  stdin: boolean;
  /**
   * When the client ends its side: close the container's stdin (a non-TTY StdinOnce
   * container, as dockerd does) rather than end the attach.
   */
  stdinOnce: boolean;
  /** Drops what precedes stdin on the connection (an upgraded request's own body). */
  body?: { feed(chunk: Buffer): Buffer } | undefined;
  /** Detach keys: their sequence ends the attach and leaves the container running. */
  detach?: { feed(chunk: Buffer): { forward: Buffer; detach: boolean } } | undefined;
}

/**
 * Copy container output to the client (framed unless TTY) and the client's input to the
 * container, with back-pressure both ways: a source is paused while the socket it writes to
 * has more than its buffer's worth queued, and resumed on 'drain'. Ends when both outputs have
 * ended (the client's side is ended then), on the detach keys, or when the client goes away;
 * the container's streams are closed in every case. Never rejects.
 */
export function pumpStreams(sock: Duplex, s: AttachedStdio, o: PumpOptions): Promise<void> {
  // The client may have gone while the attachment was made: its 'close' has passed.
  if (sock.destroyed) {
    s.close();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let over = false;
    const finish = (): void => {
      s.close();
      if (sock.writable) sock.end();
      settle();
    };
    const settle = (): void => {
      if (over) return;
      over = true;
      sock.off('drain', resumeOutputs);
      resolve();
    };
    sock.once('close', () => { s.close(); settle(); });
    sock.on('error', () => s.close());

    // Container → client.
    const paused = new Set<Readable>();
    function resumeOutputs(): void {
      for (const src of paused) src.resume();
      paused.clear();
    }
    sock.on('drain', resumeOutputs);
    let open = 2;
    const done = (): void => { if (--open === 0) finish(); };
    const forward = (src: Readable, id: 1 | 2, wanted: boolean): void => {
      src.on('data', (b: Buffer) => {
        if (!wanted || !sock.writable) return;
        if (!sock.write(o.tty ? b : frame(id, b))) {
          src.pause();
          paused.add(src);
        }
      });
      src.once('end', done);
      src.once('error', done);
    };
    forward(s.stdout, 1, o.stdout);
    forward(s.stderr, 2, o.stderr);

    // Client → container.
    const stdin = o.stdin ? s.stdin : undefined;
    if (!stdin) {
      // Nothing is read from the client, but its bytes must still be consumed.
      sock.on('data', () => {});
      return;
    }
    let waiting = false;
    const resumeInput = (): void => {
      if (!waiting) return;
      waiting = false;
      stdin.off('drain', resumeInput);
      sock.resume();
    };
    const send = (b: Buffer): void => {
      // A closed stdin takes nothing more: the client's bytes are dropped, as a closed pipe would.
      if (b.length === 0 || !stdin.writable) return;
      if (!stdin.write(b) && !waiting) {
        waiting = true;
        sock.pause();
        stdin.once('drain', resumeInput);
      }
    };
    // The container's stdin can close under a writing client (the process exited): an abort, not a crash.
    stdin.on('error', () => s.close());
    // No 'drain' comes from a closed stdin: reading goes on, so that the client's end is seen.
    stdin.once('close', resumeInput);
    const onData = (raw: Buffer): void => {
      const b = o.body ? o.body.feed(raw) : raw;
      if (b.length === 0) return;
      if (!o.detach) {
        send(b);
        return;
      }
      const r = o.detach.feed(b);
      send(r.forward);
      if (r.detach) {
        sock.off('data', onData);
        finish();
      }
    };
    sock.on('data', onData);
    // The client's end of stdin: as dockerd, close the container's stdin for a non-TTY
    // StdinOnce container; otherwise the attach ends and the container keeps its stdin.
    sock.once('end', () => {
      if (o.stdinOnce && !o.tty) stdin.end();
      else finish();
    });
  });
}
