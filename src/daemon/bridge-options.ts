import { isIP } from 'node:net';
import { InvalidArgumentError } from '../base/index.js';

/** The default bridge's daemon options (dockerd's flags and daemon.json keys of the same names). */
export interface BridgeOptions {
  /** --icc: containers on the default bridge may talk to each other (false: only over links). */
  icc: boolean;
  /** --ip: the host address of a published port given without one. */
  ip: string;
  /** --mtu: the bridge's and the containers' MTU. */
  mtu: number | undefined;
  /** --userland-proxy: accepted; berth forwards with DNAT either way (docs/networking.md). */
  userlandProxy: boolean;
}

/** dockerd's boolean flags take `--icc`, `--icc=false`: parseArgs gets them as strings. */
export const BOOL_FLAGS = ['icc', 'userland-proxy'] as const;

/** `--icc` alone means `--icc=true`, as Go's flag package reads it. */
export function normalizeBoolFlags(argv: readonly string[]): string[] {
  return argv.map((a) => (BOOL_FLAGS.some((f) => a === `--${f}`) ? `${a}=true` : a));
}

/** Go's strconv.ParseBool, with dockerd's wording. */
function parseBool(name: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new InvalidArgumentError(`invalid argument "${s}" for "--${name}" flag: strconv.ParseBool: parsing "${s}": invalid syntax`);
}

export function bridgeOptions(flags: Record<string, unknown>, file: Record<string, unknown>): BridgeOptions {
  const pick = (key: string): unknown => flags[key] ?? file[key];
  const ip = String(pick('ip') ?? '0.0.0.0');
  if (!isIP(ip)) throw new InvalidArgumentError(`invalid argument "${ip}" for "--ip" flag: invalid IP address`);
  const mtuRaw = pick('mtu');
  let mtu: number | undefined;
  if (mtuRaw !== undefined && mtuRaw !== 0 && mtuRaw !== '0') {
    mtu = Number(mtuRaw);
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new InvalidArgumentError(`invalid argument "${String(mtuRaw)}" for "--mtu" flag: expected 68-65535`);
  }
  return {
    icc: pick('icc') === undefined ? true : parseBool('icc', pick('icc')),
    ip,
    mtu,
    userlandProxy: pick('userland-proxy') === undefined ? true : parseBool('userland-proxy', pick('userland-proxy')),
  };
}
