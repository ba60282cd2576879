import { InvalidArgumentError } from '../../base/index.js';
import type { ImageRuntimeConfig } from '../../oci/index.js';

/** Instructions `docker import/commit --change` accepts (Docker's validCommitCommands). */
const VALID = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/**
 * Apply Dockerfile-style change lines (`CMD ["sh"]`, `ENV A=1 B=2`, `EXPOSE 80/tcp`...)
 * to a container config, as `docker import -c` / `docker commit -c` do. JSON and shell
 * forms are accepted; variables are not expanded.
 */
export function applyChanges(base: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig {
  const cfg: ImageRuntimeConfig = structuredClone(base);
  let cmdSet = false;
  for (const raw of joinContinuations(changes)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    const instr = m[1]!.toLowerCase();
    const rest = m[2]!.trim();
    if (!VALID.has(instr)) throw new InvalidArgumentError(`${instr} is not a valid change command`);
    switch (instr) {
      case 'cmd': cfg.Cmd = commandForm(rest, cfg); cfg.ArgsEscaped = undefined; cmdSet = true; break;
      case 'entrypoint':
        cfg.Entrypoint = rest === '' ? null : commandForm(rest, cfg);
        // as Docker's dispatcher: an ENTRYPOINT drops the CMD it inherited, not one set alongside
        if (!cmdSet) cfg.Cmd = null;
        break;
      case 'env': {
        const env = [...(cfg.Env ?? [])];
        for (const [k, v] of keyValues('ENV', rest)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        cfg.Env = env;
        break;
      }
      case 'label': {
        const labels = { ...(cfg.Labels ?? {}) };
        for (const [k, v] of keyValues('LABEL', rest)) labels[k] = v;
        cfg.Labels = labels;
        break;
      }
      case 'expose': {
        const ports = { ...(cfg.ExposedPorts ?? {}) };
        for (const p of words(rest)) {
          if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw new InvalidArgumentError(`invalid containerPort: ${p}`);
          const [port, proto = 'tcp'] = p.split('/');
          ports[`${port}/${proto.toLowerCase()}`] = {};
        }
        cfg.ExposedPorts = ports;
        break;
      }
      case 'volume': {
        const vols = { ...(cfg.Volumes ?? {}) };
        const list = rest.startsWith('[') ? jsonArray(rest, 'VOLUME') : words(rest);
        for (const v of list) {
          if (v.trim() === '') throw new InvalidArgumentError('VOLUME specified can not be an empty string');
          vols[v] = {};
        }
        cfg.Volumes = vols;
        break;
      }
      case 'workdir': {
        if (rest === '') throw new InvalidArgumentError('WORKDIR requires exactly one argument');
        const w = unquote(rest);
        cfg.WorkingDir = w.startsWith('/') ? w : `${(cfg.WorkingDir || '/').replace(/\/$/, '')}/${w}`;
        break;
      }
      case 'user':
        if (rest === '') throw new InvalidArgumentError('USER requires exactly one argument');
        cfg.User = unquote(rest);
        break;
      case 'stopsignal':
        if (rest === '') throw new InvalidArgumentError('STOPSIGNAL requires exactly one argument');
        cfg.StopSignal = unquote(rest);
        break;
      case 'onbuild': {
        const inner = /^(\S+)/.exec(rest)?.[1]?.toUpperCase();
        if (!inner) throw new InvalidArgumentError('ONBUILD requires at least one argument');
        if (inner === 'ONBUILD') throw new InvalidArgumentError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (inner === 'FROM' || inner === 'MAINTAINER') throw new InvalidArgumentError(`${inner} isn't allowed as an ONBUILD trigger`);
        cfg.OnBuild = [...(cfg.OnBuild ?? []), `${inner}${rest.slice(inner.length)}`];
        break;
      }
      case 'healthcheck': cfg.Healthcheck = healthcheck(rest); break;
    }
  }
  return cfg;
}

function joinContinuations(changes: readonly string[]): string[] {
  return changes.join('\n').replace(/\\\r?\n/g, '').split('\n');
}

function jsonArray(s: string, instr: string): string[] {
  try {
    const v: unknown = JSON.parse(s);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch { /* fall through */ }
  throw new InvalidArgumentError(`${instr} expects a JSON array of strings: ${s}`);
}

/** Exec form when it parses as a JSON string array, otherwise shell form. */
function commandForm(s: string, cfg: ImageRuntimeConfig): string[] {
  if (s.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(s);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    } catch { /* shell form, as Docker falls back */ }
  }
  return [...(cfg.Shell && cfg.Shell.length > 0 ? cfg.Shell : ['/bin/sh', '-c']), s];
}

function unquote(s: string): string {
  const w = words(s);
  return w.join(' ');
}

/** Split on unquoted whitespace, honouring "..." and '...' and backslash escapes. */
export function words(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") { quote = c; inWord = true; }
    else if (c === '\\' && i + 1 < s.length) { cur += s[++i]; inWord = true; }
    else if (/\s/.test(c)) {
      if (inWord) { out.push(cur); cur = ''; inWord = false; }
    } else { cur += c; inWord = true; }
  }
  if (quote) throw new InvalidArgumentError(`unexpected end of statement while looking for matching ${quote}`);
  if (inWord) out.push(cur);
  return out;
}

/** `K=V K2="V 2"` or the legacy `K V with spaces` form. */
function keyValues(instr: string, s: string): Array<[string, string]> {
  const w = words(s);
  if (w.length === 0) throw new InvalidArgumentError(`${instr} requires at least one argument`);
  if (!w[0]!.includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(s.trim());
    if (!m) throw new InvalidArgumentError(`${instr} must have two arguments`);
    return [[m[1]!, words(m[2]!).join(' ')]];
  }
  return w.map((kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`${instr} names can not be blank`);
    return [kv.slice(0, eq), kv.slice(eq + 1)];
  });
}

function healthcheck(s: string): NonNullable<ImageRuntimeConfig['Healthcheck']> {
  const opts: Record<string, string> = {};
  let rest = s;
  for (;;) {
    const m = /^--(\w[\w-]*)=(\S+)\s*/.exec(rest);
    if (!m) break;
    opts[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  const kind = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  if (!kind) throw new InvalidArgumentError('HEALTHCHECK requires an argument');
  const typ = kind[1]!.toUpperCase();
  if (typ === 'NONE') return { Test: ['NONE'] };
  if (typ !== 'CMD') throw new InvalidArgumentError(`Unknown type "${typ}" in HEALTHCHECK (try CMD)`);
  const body = kind[2]!.trim();
  let test: string[];
  if (body.startsWith('[')) test = ['CMD', ...jsonArray(body, 'HEALTHCHECK')];
  else test = ['CMD-SHELL', body];
  const dur = (k: string): number | undefined => {
    const v = opts[k];
    if (v === undefined) return undefined;
    const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(v);
    if (!m) throw new InvalidArgumentError(`time: invalid duration "${v}"`);
    const mult: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
    return Math.round(Number(m[1]) * mult[m[2]!]!);
  };
  const hc: NonNullable<ImageRuntimeConfig['Healthcheck']> = { Test: test };
  const interval = dur('interval'); if (interval !== undefined) hc.Interval = interval;
  const timeout = dur('timeout'); if (timeout !== undefined) hc.Timeout = timeout;
  const start = dur('start-period'); if (start !== undefined) hc.StartPeriod = start;
  const startInt = dur('start-interval'); if (startInt !== undefined) hc.StartInterval = startInt;
  if (opts.retries !== undefined) hc.Retries = Number(opts.retries);
  return hc;
}
