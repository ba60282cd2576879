import { mkdir, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode, syncDir, type Digest } from '../../../base/index.js';
import type { StorageLayout } from './layout.js';
import { readLink, writeLink } from './links.js';

/**
 * Content-addressed blobs shared by every repository, and each repository's links to them.
 * A blob's data file appears only by rename of a file whose digest was checked: readers never
 * see a partial or wrong blob.
 */
export class BlobStore {
  constructor(private readonly layout: StorageLayout) {}

  /** The size of a stored blob, undefined when absent. */
  async size(d: Digest): Promise<number | undefined> {
    try {
      return (await stat(this.layout.blobData(d))).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
      throw e;
    }
  }

  /** Whether `name` links the blob and the blob is stored. */
  async sizeIn(name: string, d: Digest): Promise<number | undefined> {
    if ((await readLink(this.layout.layerLink(name, d))) !== d) return undefined;
    return this.size(d);
  }

  /**
   * The blob `name` links, open for reading, and its size; undefined when absent. The caller closes
   * it. Sized from the open file, so a blob deleted meanwhile is absent, never half-read.
   */
  async openIn(name: string, d: Digest): Promise<{ file: FileHandle; size: number } | undefined> {
    if ((await readLink(this.layout.layerLink(name, d))) !== d) return undefined;
    let file: FileHandle;
    try {
      file = await open(this.layout.blobData(d), 'r');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
      throw e;
    }
    try {
      return { file, size: (await file.stat()).size };
    } catch (e) {
      await file.close();
      throw e;
    }
  }

  /**
   * Move `verifiedFile` (already fsynced, its digest checked, on the same filesystem) into place as
   * blob `d`. When the blob exists already, the same bytes are stored once and the file is dropped.
   */
  async commit(verifiedFile: string, d: Digest): Promise<void> {
    const target = this.layout.blobData(d);
    if ((await this.size(d)) !== undefined) {
      await unlink(verifiedFile).catch(() => {});
      return;
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(verifiedFile, target);
    await syncDir(dirname(target));
  }

  /** Store small verified content (a manifest) as a blob. */
  async put(d: Digest, data: Uint8Array): Promise<void> {
    if ((await this.size(d)) !== undefined) return;
    const target = this.layout.blobData(d);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
    const fh = await open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    await syncDir(dirname(target));
  }

  link(name: string, d: Digest): Promise<void> {
    return writeLink(this.layout.layerLink(name, d), d);
  }

  async unlink(name: string, d: Digest): Promise<boolean> {
    if ((await readLink(this.layout.layerLink(name, d))) !== d) return false;
    await rm(dirname(this.layout.layerLink(name, d)), { recursive: true, force: true });
    return true;
  }

  /** Delete a blob's data (garbage collection). */
  async remove(d: Digest): Promise<void> {
    await rm(this.layout.blobDir(d), { recursive: true, force: true });
  }
}
