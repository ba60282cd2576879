/**
 * Go's json.Indent and json.Compact over raw JSON text: the daemon's bytes (key order,
 * escapes like \u003c, number spelling) are kept; only insignificant whitespace changes.
 */
function reformat(src: string, indent: string | null): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let needIndent = false;
  const nl = (): string => (indent === null ? '' : '\n' + indent.repeat(depth));
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false;
      depth++;
      out += nl();
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[':
        out += c;
        needIndent = true;
        break;
      case '}':
      case ']':
        if (needIndent) needIndent = false; // empty: stays "{}" / "[]"
        else {
          depth--;
          out += nl();
        }
        out += c;
        break;
      case ',':
        out += c + nl();
        break;
      case ':':
        out += indent === null ? ':' : ': ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

export function jsonIndent(src: string, indent = '    '): string {
  return reformat(src, indent);
}

export function jsonCompact(src: string): string {
  return reformat(src, null);
}
