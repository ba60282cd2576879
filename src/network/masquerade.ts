import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../base/index.js';
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

/**
 * --ip-masq at start: false puts the exemption in place (a marker file names its bridge and subnet);
 * true, or another bridge or subnet, removes the rule a previous run left. Returns the rule in force.
 */
export async function applyMasquerade(o: { host: NetworkHost; marker: string; enabled: boolean; bridge: string; subnet: string }): Promise<MasqueradeExemption | undefined> {
  const wanted = { bridge: o.bridge, subnet: o.subnet };
  if (existsSync(o.marker)) {
    const before = JSON.parse(await readFile(o.marker, 'utf8')) as { bridge: string; subnet: string };
    if (o.enabled || before.bridge !== wanted.bridge || before.subnet !== wanted.subnet) {
      await new MasqueradeExemption(o.host, before).uninstall();
      await rm(o.marker, { force: true });
    }
  }
  if (o.enabled) return undefined;
  const rule = new MasqueradeExemption(o.host, wanted);
  await rule.install();
  await writeFileAtomic(o.marker, JSON.stringify(wanted));
  return rule;
}
