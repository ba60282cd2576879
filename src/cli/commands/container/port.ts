import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';

export function flags(_fs: FlagSet) {
  return {};
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** docker/cli's sortorder.NaturalLess: runs of digits compare as numbers. */
export function naturalLess(a: string, b: string): boolean {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) < Number(y);
    return x < y;
  }
  return pa.length < pb.length;
}

/** `port CONTAINER [PRIVATE_PORT[/PROTO]]`: the container's published ports, from inspect. */
export async function run(cli: Cli, _o: unknown, args: string[]): Promise<void> {
  const [container, portArg] = args as [string, string | undefined];
  const client = await cli.client();
  const c = await client.containerInspect(container);
  const ports = c.NetworkSettings?.Ports ?? {};
  const out: string[] = [];
  if (portArg !== undefined) {
    const slash = portArg.indexOf('/');
    const port = slash < 0 ? portArg : portArg.slice(0, slash);
    const proto = slash < 0 || slash === portArg.length - 1 ? 'tcp' : portArg.slice(slash + 1);
    if (!/^\d+(-\d+)?$/.test(port) || Number(port.split('-')[0]) > 65535) throw new Error(`invalid port: ${port}`);
    const natPort = `${port}/${proto}`;
    const frontends = ports[natPort];
    if (!frontends?.length) throw new Error(`no public port '${natPort}' published for ${container}`);
    for (const pb of frontends) out.push(joinHostPort(pb.HostIp ?? '', pb.HostPort ?? ''));
  } else {
    for (const [from, frontends] of Object.entries(ports)) {
      for (const pb of frontends ?? []) out.push(`${from} -> ${joinHostPort(pb.HostIp ?? '', pb.HostPort ?? '')}`);
    }
  }
  out.sort((a, b) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0));
  if (out.length) await cli.print(`${out.join('\n')}\n`);
}
