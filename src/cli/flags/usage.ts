import type { Flag, FlagSet } from './flag-set.js';

/** The placeholder name in the usage column: a `backquoted` word of the usage, or the type. */
export function unquoteUsage(f: Flag<unknown>): { name: string; usage: string } {
  const u = f.usage;
  const i = u.indexOf('`');
  if (i >= 0) {
    const j = u.indexOf('`', i + 1);
    if (j > i) {
      const name = u.slice(i + 1, j);
      return { name, usage: u.slice(0, i) + name + u.slice(j + 1) };
    }
  }
  const renames: Record<string, string> = {
    bool: '', float64: 'float', int64: 'int', uint64: 'uint', stringSlice: 'strings', intSlice: 'ints', uintSlice: 'uints', boolSlice: 'bools',
  };
  const t = f.value.type;
  return { name: t in renames ? renames[t]! : t, usage: u };
}

/** Split `s` at the last blank before `i` chars (going `slop` over to avoid an orphan). */
function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

/** Wrap `s` into width `w`, continuation lines indented by `i` (pflag's rules). */
function wrap(i: number, w: number, s: string): string {
  if (w === 0) return s.replaceAll('\n', '\n' + ' '.repeat(i));
  let width = w - i;
  let r = '';
  if (width < 24) {
    i = 16;
    width = w - i;
    r += '\n' + ' '.repeat(i);
  }
  if (width < 24) return s.replaceAll('\n', r);
  const slop = 5;
  width -= slop;
  let [l, rest] = wrapN(width, slop, s);
  r += l.replaceAll('\n', '\n' + ' '.repeat(i));
  while (rest !== '') {
    [l, rest] = wrapN(width, slop, rest);
    r += '\n' + ' '.repeat(i) + l.replaceAll('\n', '\n' + ' '.repeat(i));
  }
  return r;
}

/** pflag's FlagUsagesWrapped: the "Options:" block, aligned and wrapped to `cols`. */
export function flagUsages(fs: FlagSet, cols: number): string {
  const lines: string[] = [];
  let maxlen = 0;
  for (const f of fs.sorted()) {
    if (f.hidden) continue;
    let line = f.short && !f.shorthandDeprecated ? `  -${f.short}, --${f.name}` : `      --${f.name}`;
    const { name, usage } = unquoteUsage(f);
    if (name) line += ' ' + name;
    if (f.noOptDefVal) {
      const t = f.value.type;
      if (t === 'string') line += `[="${f.noOptDefVal}"]`;
      else if (t === 'bool') {
        if (f.noOptDefVal !== 'true') line += `[=${f.noOptDefVal}]`;
      } else if (t === 'count') {
        if (f.noOptDefVal !== '+1') line += `[=${f.noOptDefVal}]`;
      } else line += `[=${f.noOptDefVal}]`;
    }
    line += '\x00';
    if (line.length > maxlen) maxlen = line.length;
    line += usage;
    if (!f.value.isZero(f.defValue)) {
      line += f.value.type === 'string' ? ` (default ${JSON.stringify(f.defValue)})` : ` (default ${f.defValue})`;
    }
    if (f.deprecated) line += ` (DEPRECATED: ${f.deprecated})`;
    lines.push(line);
  }
  let out = '';
  for (const line of lines) {
    const sidx = line.indexOf('\x00');
    out += `${line.slice(0, sidx)} ${' '.repeat(maxlen - sidx)} ${wrap(maxlen + 2, cols, line.slice(sidx + 1))}\n`;
  }
  return out;
}
