import { InternalError, InvalidArgumentError } from '../base/index.js';
import { withSbinPath } from './netavark.js';
import type { NetworkHost } from './network-host.js';
import type { PortMapping } from './types.js';

/** The forwarder's name for an endpoint: one per container and network. */
export function forwardKey(containerId: string, networkId: string): string {
  return `${containerId}:${networkId}`;
}

/** One endpoint's published ports, as the kernel forwards them. */
export interface ForwardedEndpoint {
  /** The endpoint's key (one per container and network). */
  key: string;
  containerId: string;
  /** The container's address on the network, and the network's subnet and bridge. */
  ip: string;
  subnet: string;
  bridge: string;
  ports: readonly PortMapping[];
}

/**
 * Published ports as DNAT rules in two nat chains of this daemon's own (BERTH-DNAT-<tag>, jumped to
 * from PREROUTING and OUTPUT for local destinations, and BERTH-MASQ-<tag> from POSTROUTING), with
 * route_localnet on the bridge so that 127.0.0.1 answers too: no userland proxy. Each change
 * rewrites both chains from the endpoints that hold ports, in one `iptables-restore --noflush`
 * (one transaction: a packet never sees a chain half written, and rules a crash left behind go
 * with the next write). netavark 1.4 spent about 18 iptables processes per endpoint on the same.
 */
export class PortForwarder {
  readonly dnatChain: string;
  readonly masqChain: string;
  private readonly endpoints = new Map<string, ForwardedEndpoint>();
  private readonly localnet = new Set<string>();
  private jumpsChecked = false;
  /** The write that has not started yet: every change made before it starts is in it. */
  private queued: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly host: NetworkHost, tag: string) {
    this.dnatChain = `BERTH-DNAT-${tag}`;
    this.masqChain = `BERTH-MASQ-${tag}`;
    if (this.dnatChain.length > 28) throw new InternalError(`Cannot name the port chains after "${tag}": too long for iptables`);
  }

  /** The ports of every endpoint whose ports are forwarded now. */
  holds(key: string): boolean {
    return this.endpoints.has(key);
  }

  /** At start-up: the endpoints that hold ports, replacing whatever a previous run left in the chains. */
  async sync(endpoints: readonly ForwardedEndpoint[]): Promise<void> {
    this.endpoints.clear();
    for (const e of endpoints) this.endpoints.set(e.key, e);
    await this.write();
  }

  async publish(ep: ForwardedEndpoint): Promise<void> {
    if (!this.localnet.has(ep.bridge)) {
      await this.host.enableRouteLocalnet(ep.bridge);
      this.localnet.add(ep.bridge);
    }
    this.endpoints.set(ep.key, ep);
    await this.write();
  }

  /** Stop forwarding the endpoint's ports (also when this run never forwarded them: a crash's leftovers go). */
  async unpublish(key: string): Promise<void> {
    this.endpoints.delete(key);
    await this.write();
  }

  /** --cleanup: the jumps and both chains go. */
  async uninstall(): Promise<void> {
    this.endpoints.clear();
    const saved = await this.iptables('iptables-save', ['-t', 'nat']);
    const lines = ['*nat'];
    for (const line of saved.split('\n')) {
      if (/^-A (PREROUTING|OUTPUT|POSTROUTING) /.test(line) && (line.endsWith(` -j ${this.dnatChain}`) || line.endsWith(` -j ${this.masqChain}`))) lines.push(`-D ${line.slice(3)}`);
    }
    const chains = [this.dnatChain, this.masqChain].filter((c) => saved.includes(`:${c} `));
    for (const c of chains) lines.push(`-F ${c}`, `-X ${c}`);
    if (lines.length === 1) return;
    await this.iptables('iptables-restore', ['-w', '--noflush'], `${lines.join('\n')}\nCOMMIT\n`);
    this.jumpsChecked = false;
  }

  /** Rewrite both chains; concurrent changes share one write. */
  private write(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.tail.catch(() => {}).then(() => {
      this.queued = undefined;
      return this.restore();
    });
    this.queued = next;
    this.tail = next;
    return next;
  }

  private async restore(): Promise<void> {
    const jumps = this.jumpsChecked ? [] : await this.missingJumps();
    const lines = ['*nat', `:${this.dnatChain} - [0:0]`, `:${this.masqChain} - [0:0]`, ...jumps];
    // two host ports to one container port need its MASQUERADE rule once
    const rules = new Set([...this.endpoints.values()].flatMap((ep) => forwardingRules(ep, { dnat: this.dnatChain, masq: this.masqChain })));
    lines.push(...rules);
    await this.iptables('iptables-restore', ['-w', '--noflush'], `${lines.join('\n')}\nCOMMIT\n`);
    this.jumpsChecked = true;
  }

  /** The jumps into the chains that the nat table lacks (inserted first: netavark's network chains ACCEPT a subnet's own traffic). */
  private async missingJumps(): Promise<string[]> {
    const saved = await this.iptables('iptables-save', ['-t', 'nat']);
    const want = [
      `-A PREROUTING -m addrtype --dst-type LOCAL -j ${this.dnatChain}`,
      `-A OUTPUT -m addrtype --dst-type LOCAL -j ${this.dnatChain}`,
      `-A POSTROUTING -j ${this.masqChain}`,
    ];
    const have = new Set(saved.split('\n'));
    return want.filter((w) => !have.has(w)).map((w) => w.replace(/^-A (\S+) /, '-I $1 1 '));
  }

  private async iptables(file: string, args: string[], stdin?: string): Promise<string> {
    const r = await this.host.exec(file, args, { env: withSbinPath(process.env), allowFailure: true, ...(stdin !== undefined ? { stdin } : {}) });
    if (r.code !== 0) throw new InternalError(`Cannot program published ports: ${file} failed: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    return r.stdout;
  }
}

/**
 * The rules of one endpoint: a DNAT per host port (only to the host address asked for, when one
 * is), and MASQUERADE for what the container could not answer directly: connections from the
 * host itself (127.0.0.1 among them) and hairpin ones from its own network.
 */
export function forwardingRules(ep: ForwardedEndpoint, chains: { dnat: string; masq: string }): string[] {
  // every value becomes words of an iptables-restore line: nothing may break out of them
  const ipv4 = /^(\d{1,3}\.){3}\d{1,3}$/;
  const bad = !ipv4.test(ep.ip) || !/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(ep.subnet) || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(ep.bridge)
    || !/^[A-Za-z0-9_.-]+$/.test(ep.containerId)
    || ep.ports.some((p) => !['tcp', 'udp', 'sctp'].includes(p.protocol) || !(p.hostIp === '' || ipv4.test(p.hostIp))
      || ![p.hostPort, p.containerPort, p.range].every((n) => Number.isInteger(n) && n >= 0 && n <= 65535));
  if (bad) throw new InvalidArgumentError(`Cannot forward the ports of endpoint ${ep.key}: ${JSON.stringify({ ip: ep.ip, subnet: ep.subnet, bridge: ep.bridge, ports: ep.ports })}`);
  const tag = `-m comment --comment "berth ${ep.containerId.slice(0, 12)}"`;
  const out: string[] = [];
  for (const p of ep.ports) {
    const match = `-p ${p.protocol} -m ${p.protocol}`;
    const dest = p.hostIp && p.hostIp !== '0.0.0.0' ? `-d ${p.hostIp}/32 ` : '';
    for (let i = 0; i < Math.max(1, p.range); i++) {
      const cport = p.containerPort + i;
      out.push(`-A ${chains.dnat} ${dest}${match} --dport ${p.hostPort + i} ${tag} -j DNAT --to-destination ${ep.ip}:${cport}`);
      out.push(`-A ${chains.masq} -d ${ep.ip}/32 -o ${ep.bridge} ${match} --dport ${cport} -m conntrack --ctstate DNAT -m addrtype --src-type LOCAL ${tag} -j MASQUERADE`);
      out.push(`-A ${chains.masq} -s ${ep.subnet} -d ${ep.ip}/32 -o ${ep.bridge} ${match} --dport ${cport} -m conntrack --ctstate DNAT ${tag} -j MASQUERADE`);
    }
  }
  return out;
}
