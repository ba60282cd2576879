import { InvalidArgumentError, newId, NotFoundError, writeJsonAtomic } from '../base/index.js';
import { readJsonDocument } from '../store/index.js';
import { bridgeNetwork, hostNetwork, noneNetwork, type DefaultBridgeConfig } from './predefined.js';
import type { NetworkRecord } from './types.js';

interface NetworksFile {
  networks: NetworkRecord[];
}

/**
 * Network records, kept in one atomically rewritten JSON file. The predefined
 * `bridge`, `host` and `none` networks are created on first open and keep their
 * ids across restarts; the bridge record follows the daemon's bridge settings.
 */
export class NetworkStore {
  private constructor(private readonly file: string, private records: NetworkRecord[]) {}

  /** `bridge` undefined (dockerd's `-b none`): no `bridge` network at all. */
  static async open(opts: { file: string; bridge: DefaultBridgeConfig | undefined; now?: () => Date }): Promise<NetworkStore> {
    const kept = (await readJsonDocument<NetworksFile>(opts.file))?.networks ?? [];
    const created = (opts.now ?? (() => new Date()))().toISOString();
    const identity = (name: string): { id: string; created: string } => {
      const r = kept.find((n) => n.name === name);
      return r ? { id: r.id, created: r.created } : { id: newId(), created };
    };
    const predefined = [...(opts.bridge ? [bridgeNetwork(identity('bridge'), opts.bridge)] : []), hostNetwork(identity('host')), noneNetwork(identity('none'))];
    const others = kept.filter((n) => !['bridge', 'host', 'none'].includes(n.name));
    const records = [...predefined, ...others];
    const store = new NetworkStore(opts.file, records);
    if (JSON.stringify(kept) !== JSON.stringify(records)) await store.save();
    return store;
  }

  list(): NetworkRecord[] {
    return this.records.map((r) => structuredClone(r));
  }

  /** Docker's lookup order (daemon.FindNetwork): full id, then exact name, then a unique id prefix. */
  find(idOrName: string): NetworkRecord | undefined {
    const r = this.records.find((n) => n.id === idOrName)
      ?? this.records.find((n) => n.name === idOrName)
      ?? this.byPrefix(idOrName);
    return r && structuredClone(r);
  }

  get(idOrName: string): NetworkRecord {
    const r = this.find(idOrName);
    if (!r) throw new NotFoundError(`network ${idOrName} not found`);
    return r;
  }

  /** Persist a new network (user-defined); the caller checked the name is free. */
  async add(rec: NetworkRecord): Promise<void> {
    this.records.push(structuredClone(rec));
    try {
      await this.save();
    } catch (e) {
      this.records = this.records.filter((n) => n.id !== rec.id);
      throw e;
    }
  }

  async remove(id: string): Promise<void> {
    const before = this.records;
    this.records = this.records.filter((n) => n.id !== id);
    try {
      await this.save();
    } catch (e) {
      this.records = before;
      throw e;
    }
  }

  private byPrefix(prefix: string): NetworkRecord | undefined {
    const hits = this.records.filter((n) => n.id.startsWith(prefix));
    if (hits.length > 1) throw new InvalidArgumentError(`network ${prefix} is ambiguous (${hits.length} matches found based on ID prefix)`);
    return hits[0];
  }

  private save(): Promise<void> {
    const doc: NetworksFile = { networks: this.records };
    return writeJsonAtomic(this.file, doc);
  }
}
