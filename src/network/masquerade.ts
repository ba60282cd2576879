import type { NetworkHost } from './network-host.js';
import { withSbinPath } from './netavark.js';

/**
 * `--ip-masq=false`: what leaves the default bridge's subnet for elsewhere keeps its source address,
 * as dockerd then adds no MASQUERADE rule. netavark always masquerades a network's subnet (its rules
 * are appended to nat POSTROUTING), so berth puts one rule of its own ahead of them, accepting
 * that traffic before netavark's chain is reached. The rule carries the bridge's name in a comment:
 * it is this daemon's, and only this daemon ever removes it.
 */
export class MasqueradeExemption {
  constructor(private readonly host: NetworkHost, private readonly opts: { bridge: string; subnet: string }) {}

  private rule(): string[] {
    return ['POSTROUTING', '-s', this.opts.subnet, '!', '-o', this.opts.bridge, '-m', 'comment', '--comment', `berth-no-masq:${this.opts.bridge}`, '-j', 'ACCEPT'];
  }

  private async iptables(args: string[]): Promise<boolean> {
    const r = await this.host.exec('iptables', ['-w', '-t', 'nat', ...args], { env: withSbinPath(process.env), allowFailure: true });
    return r.code === 0;
  }

  /** First in POSTROUTING, once. */
  async install(): Promise<void> {
    if (await this.iptables(['-C', ...this.rule()])) return;
    const [chain, ...rest] = this.rule();
    if (!(await this.iptables(['-I', chain!, '1', ...rest]))) throw new Error(`Cannot exempt ${this.opts.subnet} from masquerading: iptables refused the rule`);
  }

  /** Every copy (--ip-masq back to true, or --cleanup). */
  async uninstall(): Promise<void> {
    while (await this.iptables(['-D', ...this.rule()])) { /* every copy */ }
  }
}
