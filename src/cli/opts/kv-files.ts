import { readFileSync } from 'node:fs';

/**
 * Read docker's env/label files: one `KEY=value` per line, `#` comments and blank lines
 * skipped; for env files a bare `KEY` takes the value from our environment if set.
 */
export function readKvFile(path: string, opts: { env: boolean }): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `open ${path}: no such file or directory` : `open ${path}: ${(e as Error).message}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (key === '') throw new Error(`no variable name on line '${line}'`);
    if (/\s/.test(key)) throw new Error(`variable '${key}' contains whitespaces`);
    if (eq >= 0) out.push(line);
    else if (opts.env) {
      const v = process.env[key];
      if (v !== undefined) out.push(`${key}=${v}`);
    } else out.push(line);
    void i;
  });
  return out;
}

/** Files first, then the flags, as docker's ReadKVStrings / ReadKVEnvStrings. */
export function readKvStrings(files: readonly string[], override: readonly string[], opts: { env: boolean }): string[] {
  const out: string[] = [];
  for (const f of files) out.push(...readKvFile(f, opts));
  return [...out, ...override];
}

/** `a=b` list to a map; a bare key maps to "". */
export function kvToMap(list: readonly string[]): Record<string, string> {
  const m: Record<string, string> = {};
  for (const s of list) {
    const eq = s.indexOf('=');
    if (eq < 0) m[s] = '';
    else m[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return m;
}
