import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, writeJsonAtomic } from '../base/index.js';
import { readJsonDocuments } from './json-documents.js';
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
  private readonly records = new Map<string, EndpointRecord>();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<EndpointStore> {
    const store = new EndpointStore(dir);
    for (const rec of (await readJsonDocuments<EndpointRecord>(dir)).values()) store.records.set(rec.containerId, rec);
    return store;
  }

  get(containerId: string): EndpointRecord | undefined {
    return this.records.get(containerId);
  }

  all(): EndpointRecord[] {
    return [...this.records.values()];
  }

  /** Record at once in memory; the returned promise settles once it is on disk (forgotten again if the write fails). */
  putNow(rec: EndpointRecord): Promise<void> {
    this.records.set(rec.containerId, rec);
    const written = writeJsonAtomic(this.file(rec.containerId), rec).catch((e: unknown) => {
      if (this.records.get(rec.containerId) === rec) this.records.delete(rec.containerId);
      throw e;
    });
    written.catch(() => {});
    return written;
  }

  async put(rec: EndpointRecord): Promise<void> {
    await writeJsonAtomic(this.file(rec.containerId), rec);
    this.records.set(rec.containerId, rec);
  }

  async delete(containerId: string): Promise<void> {
    await unlink(this.file(containerId)).catch((e: unknown) => {
      if (errnoCode(e) !== 'ENOENT') throw e;
    });
    this.records.delete(containerId);
  }

  private file(containerId: string): string {
    return join(this.dir, `${containerId}.json`);
  }
}
