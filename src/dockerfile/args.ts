/**
 * The argument forms of Dockerfile instructions, read as BuildKit's line parsers read them:
 * leading `--flags`, JSON (exec) arrays, `name=value` pairs, whitespace-separated words.
 * Quotes and escapes stay in the words: word expansion removes them later.
 */

/** Leading `--name[=value]` words (quotes removed); `--` alone ends them. */
export function extractFlags(text: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (!text.startsWith('--', pos)) return { flags, rest: text.slice(pos) };
    let word = '';
    let quoted = false;
    let quote: string | null = null;
    for (; pos < text.length; pos++) {
      const ch = text[pos]!;
      if (quote) {
        if (ch === quote) { quote = null; continue; }
        if (ch === '\\' && pos + 1 < text.length) { word += text[++pos]; continue; }
        word += ch;
        continue;
      }
      if (/\s/.test(ch)) break;
      if (ch === '"' || ch === "'") { quote = ch; quoted = true; continue; }
      if (ch === '\\') { if (pos + 1 < text.length) word += text[++pos]; continue; }
      word += ch;
    }
    if (word === '--') return { flags, rest: text.slice(pos).trimStart() };
    if (word.length > 0 || quoted) flags.push(word);
  }
}

/**
 * Words separated by unquoted whitespace, quotes and escapes kept (for `name=value` lists).
 * An escape token at the very end of the text is dropped.
 */
export function splitWordsKeepingQuotes(text: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === escape && quote !== "'") {
        if (i + 1 === chars.length) continue;
        word += ch;
        word += chars[++i];
        continue;
      }
      word += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '"' || ch === "'") { quote = ch; word += ch; continue; }
    if (ch === escape) {
      if (i + 1 === chars.length) continue;
      word += ch + chars[++i];
      continue;
    }
    word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

/** A JSON array of strings, or undefined when the text is not one (then it is shell form). */
export function parseJsonArray(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return undefined;
  return value as string[];
}

export function splitWhitespace(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w.length > 0);
}
