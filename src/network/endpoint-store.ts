import { RecordStore } from '../store/index.js';
import type { Attachment, EndpointConfig } from './types.js';

/** What berth keeps about one container's endpoint, enough to undo it after a restart. */
export interface EndpointRecord {
  /**
   * The record's key: the container id for the endpoint that owns the namespace (the first),
   * `<container id>.<network id prefix>` for endpoints connected later; absent in older records.
   */
  key?: string;
  containerId: string;
  containerName: string;
  /** 'creating' until the driver has finished; such records are rolled back at open. */
  state: 'creating' | 'ready';
  attachment: Attachment;
  /** Name of the namespace under /run/netns, when the endpoint has one. */
  netnsName?: string;
  /** What the driver planned (netavark's input), kept to undo it exactly. */
  plan?: unknown;
  /** What the container's create asked of this endpoint (NetworkingConfig), for the drivers that honour it. */
  config?: EndpointConfig;
  /** The container's --dns servers, which the embedded DNS forwards to. */
  dnsServers?: string[];
  /** The first endpoint after its network was disconnected: it only keeps the namespace now. */
  sandboxOnly?: boolean;
}

export function endpointKey(rec: Pick<EndpointRecord, 'key' | 'containerId'>): string {
  return rec.key ?? rec.containerId;
}

/** Endpoint records, one atomically written JSON file per container. */
export class EndpointStore {
  private constructor(private readonly records: RecordStore<EndpointRecord>) {}

  static async open(dir: string): Promise<EndpointStore> {
    return new EndpointStore(await RecordStore.open<EndpointRecord>({ dir, layout: { kind: 'files' } }));
  }

  /** By key: the container id gives the endpoint that owns the container's namespace. */
  get(key: string): EndpointRecord | undefined {
    return this.records.get(key);
  }

  /** Every endpoint of a container, the namespace's owner first. */
  ofContainer(containerId: string): EndpointRecord[] {
    return this.records.values().filter((r) => r.containerId === containerId)
      .sort((a, b) => Number(endpointKey(b) === containerId) - Number(endpointKey(a) === containerId));
  }

  all(): EndpointRecord[] {
    return this.records.values();
  }

  /** Record at once in memory; the returned promise settles once it is on disk (forgotten again if the write fails). */
  putNow(rec: EndpointRecord): Promise<void> {
    return this.records.putNow(endpointKey(rec), rec);
  }

  put(rec: EndpointRecord, opts: { durable?: boolean } = {}): Promise<void> {
    return this.records.put(endpointKey(rec), rec, opts);
  }

  delete(rec: Pick<EndpointRecord, 'key' | 'containerId'>): Promise<void> {
    return this.records.delete(endpointKey(rec));
  }
}
