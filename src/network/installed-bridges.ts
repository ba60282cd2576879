import { writeJsonAtomic } from '../base/index.js';
import { readJsonDocument } from '../store/index.js';
import type { NetworkRecord } from './types.js';

export interface InstalledBridge {
  networkId: string;
  bridge: string;
  subnet: string;
  /** The bridge did not exist when berth first set the network up: netavark made it (and berth may delete it). */
  madeByBerth: boolean;
}

/**
 * `<root>/installed.json`: what berth set up on the host for each bridge network, written before
 * netavark first runs for it, so that a crash cannot leave host state unrecorded.
 */
export class InstalledBridges {
  private readonly noting = new Map<string, Promise<void>>();

  private constructor(private readonly file: string, private readonly entries: Map<string, InstalledBridge>) {}

  static async open(file: string): Promise<InstalledBridges> {
    const list = (await readJsonDocument<{ bridges: InstalledBridge[] }>(file))?.bridges ?? [];
    return new InstalledBridges(file, new Map(list.map((b) => [b.networkId, b])));
  }

  all(): InstalledBridge[] {
    return [...this.entries.values()];
  }

  /** Record the network's bridge once (first setup since the record was made or forgotten). */
  note(network: NetworkRecord, bridgeExists: () => Promise<boolean>): Promise<void> {
    const kept = this.entries.get(network.id);
    if (kept && kept.bridge === network.bridge) return Promise.resolve();
    let p = this.noting.get(network.id);
    if (!p) {
      p = (async () => {
        const entry: InstalledBridge = { networkId: network.id, bridge: network.bridge, subnet: network.ipam.config[0]?.subnet ?? '', madeByBerth: !(await bridgeExists()) };
        this.entries.set(network.id, entry);
        await this.save();
      })().finally(() => this.noting.delete(network.id));
      this.noting.set(network.id, p);
    }
    return p;
  }

  async forget(networkId: string): Promise<void> {
    if (this.entries.delete(networkId)) await this.save();
  }

  private save(): Promise<void> {
    return writeJsonAtomic(this.file, { bridges: this.all() });
  }
}
