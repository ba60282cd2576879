import { StringDecoder } from 'node:string_decoder';
import type { JSONMessage } from '../api/types/index.js';

/**
 * Split a byte stream of concatenated JSON values (the Engine API's progress streams:
 * one object per line, but Go's decoder also accepts them back to back) into values.
 */
export class JsonValueSplitter {
  private text = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  push(chunk: string): unknown[] {
    this.text += chunk;
    const out: unknown[] = [];
    for (let i = this.scanned; i < this.text.length; i++) {
      const c = this.text[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth === 0) {
          out.push(JSON.parse(this.text.slice(this.start, i + 1)));
          this.text = this.text.slice(i + 1);
          i = -1;
          this.start = -1;
        }
      }
    }
    if (this.depth === 0 && this.text.trim() === '') this.text = '';
    this.scanned = this.text.length;
    return out;
  }

  /** Text that did not form a complete value by the end of the stream. */
  get rest(): string {
    return this.text.trim();
  }
}

/** Iterate the JSON messages of a pull/load/import/build response body. */
export async function* readJsonMessages(src: AsyncIterable<Buffer | string>): AsyncGenerator<JSONMessage> {
  const sp = new JsonValueSplitter();
  // string_decoder, not TextDecoder: the streams have loaded it already, and TextDecoder's first
  // use sets up an ICU converter, a few ms of a short CLI's life.
  const dec = new StringDecoder('utf8');
  for await (const chunk of src) {
    const s = typeof chunk === 'string' ? chunk : dec.write(chunk);
    for (const v of sp.push(s)) yield v as JSONMessage;
  }
  for (const v of sp.push(dec.end())) yield v as JSONMessage;
  if (sp.rest) throw new SyntaxError(`Unexpected end of JSON stream: ${sp.rest.slice(0, 80)}`);
}
