import { FlagValueError } from '../flags/index.js';

// Value checks of docker's opts package, with its error texts; each returns the value
// to store (some normalize it).

export function validateAttach(v: string): string {
  const s = v.toLowerCase();
  if (s === 'stdin' || s === 'stdout' || s === 'stderr') return s;
  throw new FlagValueError('valid streams are STDIN, STDOUT and STDERR');
}

/** `KEY=value` as is; a bare `KEY` takes our environment's value when there is one. */
export function validateEnv(v: string): string {
  const eq = v.indexOf('=');
  const k = eq < 0 ? v : v.slice(0, eq);
  if (k === '') throw new FlagValueError(`invalid environment variable: ${v}`);
  if (eq >= 0) return v;
  const env = process.env[k];
  return env === undefined ? v : `${k}=${env}`;
}

export function validateLabel(v: string): string {
  const eq = v.indexOf('=');
  const key = (eq < 0 ? v : v.slice(0, eq)).replace(/^[ \t\n\r\v\f]+/, '');
  if (key === '') throw new FlagValueError(`invalid label '${v}': empty name`);
  if (/[ \t\n\r\v\f]/.test(key)) throw new FlagValueError(`label '${key}' contains whitespaces`);
  return v;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIp(s: string): boolean {
  if (IPV4.test(s)) return true;
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const dbl = s.split('::').length - 1;
  return dbl <= 1;
}

export function validateIp(v: string): string {
  const s = v.trim();
  if (!isIp(s)) throw new FlagValueError(`IP address is not correctly formatted: ${v}`);
  return s;
}

export function validateDnsSearch(v: string): string {
  const s = v.replace(/\.$/, '');
  if (s === '' || s.length > 255 || !/^(:?(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))$/.test(s)) {
    throw new FlagValueError(`${v} is not a valid domain`);
  }
  return v;
}

/** `host:ip` or `host=ip`; "host-gateway" is resolved by the daemon. */
export function validateExtraHost(v: string): string {
  let i = v.indexOf('=');
  if (i < 0) i = v.indexOf(':');
  if (i <= 0) throw new FlagValueError(`bad format for add-host: ${JSON.stringify(v)}`);
  const host = v.slice(0, i);
  let ip = v.slice(i + 1);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== 'host-gateway' && !isIp(ip)) throw new FlagValueError(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  return `${host}:${ip}`;
}

export function validateLink(v: string): string {
  const parts = v.split(':');
  if (v === '' || parts.length > 2 || parts.some((p) => p === '')) throw new FlagValueError(`bad format for links: ${v}`);
  return v;
}

const SYSCTL_PREFIXES = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced'];

export function validateSysctl(v: string): string {
  const eq = v.indexOf('=');
  const k = eq < 0 ? v : v.slice(0, eq);
  if (eq > 0 && (SYSCTL_PREFIXES.includes(k) || k.startsWith('fs.mqueue.') || k.startsWith('net.'))) return v;
  throw new FlagValueError(`sysctl '${v}' is not allowed`);
}

export function validateDeviceCgroupRule(v: string): string {
  if (/^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.test(v)) return v;
  throw new FlagValueError(`invalid device cgroup format '${v}'`);
}

function splitDevice(v: string, kind: string): [string, string] {
  const i = v.lastIndexOf(':');
  if (i < 0) throw new FlagValueError(`bad format: ${v}`);
  const path = v.slice(0, i);
  if (!path.startsWith('/dev/')) throw new FlagValueError(`bad format for device path: ${v}`);
  void kind;
  return [path, v.slice(i + 1)];
}

export function validateWeightDevice(v: string): string {
  const [, w] = splitDevice(v, 'weight');
  const n = Number(w);
  if (!/^\d+$/.test(w) || (n !== 0 && (n < 10 || n > 1000))) throw new FlagValueError(`invalid weight for device: ${v}`);
  return v;
}

export function validateThrottleBps(v: string): string {
  const [p, rate] = splitDevice(v, 'bps');
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(rate);
  if (!m) throw new FlagValueError(`invalid rate for device: ${v}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`);
  const n = Math.floor(Number(m[1]) * 1024 ** ' kmgtp'.indexOf((m[2] || ' ').toLowerCase()));
  return `${p}:${n}`;
}

export function validateThrottleIops(v: string): string {
  const [, rate] = splitDevice(v, 'iops');
  if (!/^\d+$/.test(rate)) throw new FlagValueError(`invalid rate for device: ${v}. The correct format is <device-path>:<number>. Number must be a positive integer`);
  return v;
}
