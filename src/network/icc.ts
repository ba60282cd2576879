import type { NetworkHost } from './network-host.js';
import { withSbinPath } from './netavark.js';

/** A port the receiver of a link may reach on its source (and the answers back), under --icc=false. */
export interface LinkOpening {
  receiverIp: string;
  sourceIp: string;
  port: number;
  protocol: string;
}

/**
 * `--icc=false`: containers on the default bridge may not talk to one another, except on the ports
 * their links open. dockerd's rule (`-i docker0 -o docker0 -j DROP` in FORWARD) lives here in a
 * chain of this daemon's own, BERTH-ICC-<bridge>, jumped to from FORWARD for bridge-to-bridge
 * traffic, so two daemons and dockerd never touch each other's rules. A link's ACCEPT rules carry
 * the receiver's ID in a comment and go with its endpoint.
 */
export class IccFirewall {
  readonly chain: string;

  constructor(private readonly host: NetworkHost, private readonly bridge: string) {
    this.chain = `BERTH-ICC-${bridge}`;
  }

  private async iptables(args: string[], opts: { check?: boolean } = {}): Promise<boolean> {
    const r = await this.host.exec('iptables', ['-w', ...args], { env: withSbinPath(process.env), allowFailure: true });
    if (r.code !== 0 && !opts.check) throw new Error(`iptables ${args.join(' ')} failed: ${r.stderr.trim()}`);
    return r.code === 0;
  }

  private jump(): string[] {
    return ['FORWARD', '-i', this.bridge, '-o', this.bridge, '-j', this.chain];
  }

  /** Make the chain (ending in DROP) and its jump from FORWARD, keeping the links' rules of a previous run. */
  async install(): Promise<void> {
    if (!(await this.iptables(['-n', '-L', this.chain], { check: true }))) await this.iptables(['-N', this.chain]);
    if (!(await this.iptables(['-C', this.chain, '-j', 'DROP'], { check: true }))) await this.iptables(['-A', this.chain, '-j', 'DROP']);
    if (!(await this.iptables(['-C', ...this.jump()], { check: true }))) await this.iptables(['-I', ...this.jump().slice(0, 1), '1', ...this.jump().slice(1)]);
  }

  /** Remove the jump and the chain (--icc back to true, or --cleanup). */
  async uninstall(): Promise<void> {
    while (await this.iptables(['-D', ...this.jump()], { check: true })) { /* every copy */ }
    if (await this.iptables(['-F', this.chain], { check: true })) await this.iptables(['-X', this.chain], { check: true });
  }

  /** Open the link's port both ways: new connections receiver → source, answers source → receiver. */
  async allow(receiverId: string, openings: readonly LinkOpening[]): Promise<void> {
    const tag = ['-m', 'comment', '--comment', `berth-link:${receiverId.slice(0, 12)}`];
    for (const o of openings) {
      const proto = ['-p', o.protocol];
      await this.iptables(['-I', this.chain, '1', '-s', o.receiverIp, '-d', o.sourceIp, ...proto, '--dport', String(o.port), ...tag, '-j', 'ACCEPT']);
      await this.iptables(['-I', this.chain, '1', '-s', o.sourceIp, '-d', o.receiverIp, ...proto, '--sport', String(o.port), ...tag, '-j', 'ACCEPT']);
    }
  }

  /** Drop every rule a receiver's links made. */
  async revoke(receiverId: string): Promise<void> {
    const r = await this.host.exec('iptables', ['-w', '-S', this.chain], { env: withSbinPath(process.env), allowFailure: true });
    if (r.code !== 0) return;
    const mark = `berth-link:${receiverId.slice(0, 12)}`;
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('-A ') && l.includes(mark))) {
      const args = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      args[0] = '-D';
      await this.iptables(args, { check: true });
    }
  }
}
