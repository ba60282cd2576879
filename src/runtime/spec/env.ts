/** Docker's default PATH for Linux containers. */
export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The process environment as Docker builds it: PATH, HOSTNAME (and TERM with a tty) first, then the
 * container's variables replacing those with the same key; a bare "KEY" removes KEY.
 */
export function containerEnv(env: readonly string[], opts: { hostname: string; tty: boolean }): string[] {
  const out = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${opts.hostname}`];
  if (opts.tty) out.push('TERM=xterm');
  const key = (kv: string): string => (kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv);
  for (const kv of env) {
    const i = out.findIndex((o) => key(o) === key(kv));
    if (!kv.includes('=')) {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  }
  return out;
}
