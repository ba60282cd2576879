import type { ExecOptions, ExecResult, VethWiring } from '../host/index.js';
import type { NetavarkOptions } from './netavark.js';
import type { NetworkHost } from './network-host.js';

export interface RecordedCall {
  op: string;
  args: unknown[];
}

/**
 * A NetworkHost for unit tests: keeps namespaces and links in memory, answers
 * netavark like netavark does, and records every call. `failNext` makes the next
 * call of that op throw.
 */
export class RecordingHost implements NetworkHost {
  readonly calls: RecordedCall[] = [];
  readonly netns = new Set<string>();
  readonly links = new Set<string>();
  readonly failNext = new Set<string>();

  /** What the fake `iptables-save -t nat` prints. */
  natTable = '';

  async exec(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const tool = file.slice(file.lastIndexOf('/') + 1);
    if (tool !== 'netavark') {
      this.calls.push({ op: tool, args: [file, ...args, opts.stdin === undefined ? undefined : String(opts.stdin)] });
      if (this.failNext.delete(tool)) return { code: 1, stdout: '', stderr: 'simulated failure' };
      return { code: 0, stdout: tool === 'iptables-save' ? this.natTable : '', stderr: '' };
    }
    const verb = args[args.length - 2] ?? '';
    this.calls.push({ op: `netavark ${verb}`, args: [file, ...args, opts.stdin === undefined ? undefined : JSON.parse(String(opts.stdin))] });
    if (this.failNext.delete(`netavark ${verb}`)) return { code: 1, stdout: '{"error":"simulated failure"}', stderr: '' };
    if (verb !== 'setup') return { code: 0, stdout: '', stderr: '' };
    const input = JSON.parse(String(opts.stdin)) as NetavarkOptions;
    const status: Record<string, unknown> = {};
    for (const [name, per] of Object.entries(input.networks)) {
      const info = input.network_info[name]!;
      if (info.network_interface) this.links.add(info.network_interface);
      const prefix = info.subnets?.[0]?.subnet.split('/')[1];
      status[name] = {
        dns_search_domains: [], dns_server_ips: [],
        interfaces: { [per.interface_name]: { mac_address: per.static_mac, subnets: [{ gateway: info.subnets?.[0]?.gateway, ipnet: `${per.static_ips?.[0]}/${prefix}` }] } },
      };
    }
    return { code: 0, stdout: JSON.stringify(status), stderr: '' };
  }

  async createNetns(name: string, opts: { loopbackUp?: boolean }): Promise<string> {
    this.calls.push({ op: 'createNetns', args: [name, opts] });
    if (this.failNext.delete('createNetns')) throw new Error('simulated createNetns failure');
    this.netns.add(name);
    return `/run/netns/${name}`;
  }

  async deleteNetns(name: string): Promise<void> {
    this.calls.push({ op: 'deleteNetns', args: [name] });
    this.netns.delete(name);
  }

  async netnsExists(name: string): Promise<boolean> {
    return this.netns.has(name);
  }

  async linkExists(name: string): Promise<boolean> {
    return this.links.has(name);
  }

  async isBridgePort(bridge: string, port: string): Promise<boolean> {
    return this.links.has(bridge) && this.ports.get(port) === bridge;
  }

  async addBridgePlaceholder(opts: { name: string; bridge: string }): Promise<void> {
    this.calls.push({ op: 'addBridgePlaceholder', args: [opts] });
    this.links.add(opts.name);
    this.ports.set(opts.name, opts.bridge);
  }

  private readonly ports = new Map<string, string>();

  async deleteLink(name: string): Promise<void> {
    this.calls.push({ op: 'deleteLink', args: [name] });
    this.links.delete(name);
  }

  async deleteLinkIn(netns: string, name: string): Promise<void> {
    this.calls.push({ op: 'deleteLinkIn', args: [netns, name] });
  }

  async wireVeth(w: VethWiring): Promise<void> {
    this.calls.push({ op: 'wireVeth', args: [w] });
    if (this.failNext.delete('wireVeth')) throw new Error('simulated wireVeth failure');
    if (!this.netns.has(w.netns)) throw new Error(`no namespace ${w.netns}`);
    this.links.add(w.hostName);
    this.ports.set(w.hostName, w.bridge);
  }

  async enableRouteLocalnet(bridge: string): Promise<void> {
    this.calls.push({ op: 'enableRouteLocalnet', args: [bridge] });
  }

  async enableHairpin(port: string | { netns: string; iface: string }): Promise<void> {
    this.calls.push({ op: 'enableHairpin', args: [port] });
  }

  /** Routes the fake host reaches (tests add theirs). */
  readonly routes: string[] = ['0.0.0.0/0'];

  async ipv4Routes(): Promise<string[]> {
    return [...this.routes];
  }

  /** Processes the fake host has (signalProcess throws ESRCH for others). */
  readonly pids = new Set<number>();

  signalProcess(pid: number, signal: NodeJS.Signals): void {
    if (!this.pids.has(pid)) throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
    if (Number(signal) !== 0) this.calls.push({ op: 'signalProcess', args: [pid, signal] });
    if (signal === 'SIGHUP') this.reloads.set(pid, (this.reloads.get(pid) ?? 0) + 1);
  }

  /** SIGHUPs per process: a fake aardvark binds a new socket at each (it has read its files at once). */
  private readonly reloads = new Map<number, number>();

  async udpSockets(pid: number): Promise<Set<string>> {
    return this.pids.has(pid) ? new Set([`${pid}-${this.reloads.get(pid) ?? 0}`]) : new Set();
  }

  ops(): string[] {
    return this.calls.map((c) => c.op);
  }
}
