import { DockerfileError } from './errors.js';

/** Parser directives: `# escape=`, `# syntax=`, `# check=` before anything else in the file. */
export interface Directives {
  escape: string;
  syntax?: string;
  check?: string;
}

const DIRECTIVE_RE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN = new Set(['escape', 'syntax', 'check']);

/**
 * Reads directives line by line until the first line that is not one: an empty line, another
 * comment, an instruction, or an unknown directive (which BuildKit treats as a comment).
 */
export class DirectiveReader {
  readonly directives: Directives = { escape: '\\' };
  private done = false;
  private readonly seen = new Set<string>();

  /** Feeds one physical line (left-trimmed); returns whether it was a directive. */
  offer(line: string, lineNo: number): boolean {
    if (this.done) return false;
    const m = DIRECTIVE_RE.exec(line);
    const key = m?.[1]?.toLowerCase();
    if (!m || !key || !KNOWN.has(key)) {
      this.done = true;
      return false;
    }
    if (this.seen.has(key)) throw new DockerfileError(`only one ${key} parser directive can be used`, lineNo);
    this.seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') throw new DockerfileError(`invalid escape token '${value}' does not match \` or \\`, lineNo);
      this.directives.escape = value;
    } else if (key === 'syntax') {
      this.directives.syntax = value;
    } else {
      this.directives.check = value;
    }
    return true;
  }
}
