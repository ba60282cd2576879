import { RecordStore } from '../store/index.js';
import type { Attachment, EndpointConfig } from './types.js';

/** What berth keeps about one container's endpoint, enough to undo it after a restart. */
export interface EndpointRecord {
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
}

/** Endpoint records, one atomically written JSON file per container. */
export class EndpointStore {
  private constructor(private readonly records: RecordStore<EndpointRecord>) {}

  static async open(dir: string): Promise<EndpointStore> {
    return new EndpointStore(await RecordStore.open<EndpointRecord>({ dir, layout: { kind: 'files' } }));
  }

  get(containerId: string): EndpointRecord | undefined {
    return this.records.get(containerId);
  }

  all(): EndpointRecord[] {
    return this.records.values();
  }

  /** Record at once in memory; the returned promise settles once it is on disk (forgotten again if the write fails). */
  putNow(rec: EndpointRecord): Promise<void> {
    return this.records.putNow(rec.containerId, rec);
  }

  put(rec: EndpointRecord): Promise<void> {
    return this.records.put(rec.containerId, rec);
  }

  delete(containerId: string): Promise<void> {
    return this.records.delete(containerId);
  }
}
