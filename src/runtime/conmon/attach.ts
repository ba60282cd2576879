import { Readable, Writable } from 'node:stream';
import { connectSeqpacket, type SeqpacketConnection } from './seqpacket.js';

/** A live attachment to a container's stdio through conmon. */
export interface AttachStreams {
  stdout: Readable;
  /** Empty for TTY containers: a terminal has one output. */
  stderr: Readable;
  /** Present when asked for; ending it closes the container's stdin unless conmon leaves it open. */
  stdin?: Writable;
  close(): void;
}

// conmon prefixes every packet it sends with the pipe it read from (src/utils.h stdpipe_t).
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
// conmon reads client packets into a 32 KiB buffer; bigger packets would be truncated.
const MAX_STDIN_PACKET = 8192;

/** Attach to conmon's socket; output flows until the container exits or close() is called. */
export async function attachConmon(socketPath: string, opts: { stdin: boolean }): Promise<AttachStreams> {
  const conn = await connectSeqpacket(socketPath);
  return streamsOf(conn, opts);
}

function streamsOf(conn: SeqpacketConnection, opts: { stdin: boolean }): AttachStreams {
  // The socket cannot be paused: output is buffered here if the reader is slow.
  const stdout = new Readable({ read() {} });
  const stderr = new Readable({ read() {} });
  let ended = false;
  const endOutput = (): void => {
    if (ended) return;
    ended = true;
    stdout.push(null);
    stderr.push(null);
  };
  conn.on('data', (packet) => {
    if (packet.length < 1 || ended) return;
    const data = Buffer.from(packet.subarray(1));
    if (packet[0] === STDOUT_PIPE) stdout.push(data);
    else if (packet[0] === STDERR_PIPE) stderr.push(data);
  });
  conn.on('end', () => {
    endOutput();
    conn.destroy();
  });
  conn.on('close', endOutput);
  conn.on('error', (e) => {
    stdout.destroy(e);
    stderr.destroy(e);
  });

  let stdin: Writable | undefined;
  if (opts.stdin) {
    stdin = new Writable({
      write(chunk: Buffer, _enc, cb) {
        void (async () => {
          for (let i = 0; i < chunk.length; i += MAX_STDIN_PACKET) {
            await conn.write(chunk.subarray(i, i + MAX_STDIN_PACKET));
          }
        })().then(() => cb(), cb);
      },
      final(cb) {
        conn.end();
        cb();
      },
    });
  }
  return {
    stdout, stderr, stdin,
    close() {
      conn.destroy();
      endOutput();
      stdin?.destroy();
    },
  };
}
