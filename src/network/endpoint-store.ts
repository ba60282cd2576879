import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
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
  /**
   * 'creating' until the driver has finished, 'removing' once a disconnect has begun: start-up
   * undoes every record that is not 'ready' (rolls back, or finishes the removal).
   */
  state: 'creating' | 'ready' | 'removing';
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

/**
 * Endpoint records, one atomically written JSON file per container: renamed into place, never
 * fsynced (docs/decisions/0014). A kill -9 finds every write; a power cut loses writes and
 * everything they described alike (namespaces, veths, rules), and start-up reclaims the rest.
 */
export class EndpointStore {
  private constructor(private readonly records: RecordStore<EndpointRecord>) {}

  static async open(dir: string): Promise<EndpointStore> {
    return new EndpointStore(await RecordStore.open<EndpointRecord>({
      dir, layout: { kind: 'files' },
      // records are written without fsync (docs/decisions/0014): a power cut may leave one empty,
      // and what it described (namespace, veth, rules) did not survive the reboot either
      onUnreadable: (key) => unlink(join(dir, `${key}.json`)).catch(() => {}),
    }));
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
    return this.records.putNow(endpointKey(rec), rec, { durable: false });
  }

  put(rec: EndpointRecord): Promise<void> {
    return this.records.put(endpointKey(rec), rec, { durable: false });
  }

  delete(rec: Pick<EndpointRecord, 'key' | 'containerId'>): Promise<void> {
    return this.records.delete(endpointKey(rec));
  }
}
