import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * dockerd's --ip-forward=false with netavark 1.4, which writes 1 to net.ipv4.ip_forward (and
 * net.ipv6.conf.all.forwarding for an IPv6 network) on every bridge setup, with no option to stop it.
 * netavark runs in a mount namespace of its own (slave of the daemon's, so every network namespace
 * mount made or removed later reaches it) where both sysctl files are covered by a bind mount of a
 * plain file that reads "1": netavark sees forwarding on and writes nothing, and the kernel's
 * value is never touched, not even for a moment (docs/decisions/0021).
 *
 * aardvark-dns, which netavark starts and which outlives it, goes back to the daemon's own mount
 * namespace through a wrapper, so no long-lived process holds a copy of the daemon's mounts.
 */
export interface ForwardingShield {
  /** The file bound over the sysctls. */
  file: string;
  /** What netavark runs as aardvark-dns. */
  aardvark: string;
}

/** The sysctls netavark turns on (containers/netavark src/network/bridge.rs, v1.4). */
export const FORWARDING_SYSCTLS = ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding'] as const;

// $1: the shield file; the rest: the command. A sysctl the kernel lacks (no IPv6) needs no cover.
const SHIELD_SCRIPT = `f=$1; shift
for s in ${FORWARDING_SYSCTLS.join(' ')}; do
  [ -e "$s" ] || continue
  mount --bind "$f" "$s" || { echo "berth: cannot cover $s (--ip-forward=false)" >&2; exit 125; }
done
exec "$@"`;

/** The shield's files under `dir` (a directory on an exec-capable filesystem). */
export function forwardingShieldAt(dir: string): ForwardingShield {
  return { file: join(dir, 'forwarding'), aardvark: join(dir, 'aardvark-dns') };
}

/** Write the shield's file and aardvark wrapper; `daemonPid` is the daemon's own (its mount namespace). */
export async function installForwardingShield(shield: ForwardingShield, opts: { aardvark: string; daemonPid: number }): Promise<void> {
  await mkdir(dirname(shield.file), { recursive: true });
  await writeFile(shield.file, '1\n');
  await writeFile(shield.aardvark, `#!/bin/sh
# berthd --ip-forward=false: aardvark-dns leaves netavark's mount namespace for the daemon's (src/network/forwarding-shield.ts)
exec nsenter --mount=/proc/${opts.daemonPid}/ns/mnt -- ${shellQuote(opts.aardvark)} "$@"
`);
  await chmod(shield.aardvark, 0o755);
}

/** The command line that runs `binary args` inside a fresh shielded mount namespace. */
export function shieldedCommand(shield: ForwardingShield, binary: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: 'unshare', args: ['--mount', '--propagation', 'slave', '--', 'sh', '-c', SHIELD_SCRIPT, 'berth-forwarding-shield', shield.file, binary, ...args] };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
