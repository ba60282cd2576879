/** The detach sequence was typed (moby/term's EscapeError). */
export class EscapeError extends Error {
  constructor() {
    super('read escape sequence');
  }
}
