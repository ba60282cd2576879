/** ctrl-p, ctrl-q: the detach sequence when neither the client nor its config names one. */
export const DEFAULT_DETACH_KEYS: readonly number[] = [16, 17];

// moby/term's key names, in the order of their codes (ctrl-@ is 0, ctrl-_ is 31).
const CTRL_KEYS = ['@', ...'abcdefghijklmnopqrstuvwxyz', '[', '\\', ']', '^', '_'].map((k) => `ctrl-${k}`);

/**
 * A detach-keys value ("ctrl-p,ctrl-q", "a,DEL") as bytes, by moby/term's ToBytes rules.
 * Throws `Unknown character: 'KEY'` (moby/term's words); the daemon wraps that in its own.
 */
export function parseDetachKeys(spec: string): number[] {
  const codes: number[] = [];
  for (const key of spec.split(',')) {
    if (Buffer.byteLength(key) === 1) {
      codes.push(Buffer.from(key)[0]!);
      continue;
    }
    const ctrl = CTRL_KEYS.indexOf(key);
    if (ctrl >= 0) codes.push(ctrl);
    else if (key === 'DEL') codes.push(127);
    else throw new Error(`Unknown character: '${key}'`);
  }
  return codes;
}

/**
 * Watches a TTY's input for the detach sequence, as moby/term's escape proxy: bytes that could
 * start the sequence are held back, released when the next byte does not follow it (that byte
 * is not tried as a new start, as in moby), and dropped when the whole sequence arrives.
 */
export class DetachScanner {
  private held = 0;

  constructor(private readonly keys: readonly number[]) {}

  /** The bytes to forward, and whether the sequence was completed (what follows it is dropped). */
  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      for (let i = 0; i < this.held; i++) out.push(this.keys[i]!);
      this.held = 0;
      out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
