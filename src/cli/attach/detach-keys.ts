/** ctrl-p, ctrl-q: what docker uses when neither the flag nor config.json says otherwise. */
export const DEFAULT_DETACH_KEYS = [16, 17];

/**
 * Parse docker's detach-keys syntax ("ctrl-p,ctrl-q", "a,ctrl-@") into bytes, as
 * moby/term's ToBytes; throws on an unknown key.
 */
export function parseDetachKeys(s: string): number[] {
  const out: number[] = [];
  for (const key of s.split(',')) {
    if (key.length > 1 && !key.startsWith('ctrl-')) throw new Error(`Unknown character: '${key}'`);
    if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    const c = key.slice(5);
    if (c.length !== 1) throw new Error(`Unknown character: '${key}'`);
    const code = c.charCodeAt(0);
    if (c >= 'a' && c <= 'z') out.push(code - 'a'.charCodeAt(0) + 1);
    else if (c === '@') out.push(0);
    else if (c === '[') out.push(27);
    else if (c === '\\') out.push(28);
    else if (c === ']') out.push(29);
    else if (c === '^') out.push(30);
    else if (c === '_') out.push(31);
    else throw new Error(`Unknown character: '${key}'`);
  }
  return out;
}

/** The detach sequence was typed (moby/term's EscapeError). */
export class EscapeError extends Error {
  constructor() {
    super('read escape sequence');
  }
}

/**
 * Watches stdin bytes for the detach sequence, holding back a partial match (and
 * releasing it if the sequence breaks), as moby/term's EscapeProxy.
 */
export class EscapeProxy {
  private matched = 0;
  constructor(private readonly keys: readonly number[]) {}

  /** Bytes to forward now, and whether the full sequence was seen. */
  filter(chunk: Buffer): { data: Buffer; escaped: boolean } {
    if (this.keys.length === 0) return { data: chunk, escaped: false };
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { data: Buffer.from(out), escaped: true };
        continue;
      }
      if (this.matched > 0) {
        out.push(...this.keys.slice(0, this.matched));
        this.matched = 0;
        if (b === this.keys[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(b);
    }
    return { data: Buffer.from(out), escaped: false };
  }
}
