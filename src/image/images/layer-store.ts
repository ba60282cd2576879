import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { digestHex, errnoCode, InvalidArgumentError, isDigest, NotFoundError, syncDir, writeJsonAtomic, type Digest, type Logger } from '../../base/index.js';
import { syncFilesystem } from '../../host/index.js';
import { childChainId } from '../../oci/index.js';
import { applyLayer, type Compression } from '../archive/index.js';
import type { ContentStore } from '../content/index.js';

/** What `layers/<chainHex>/layer.json` records. */
export interface LayerInfo {
  chainId: Digest;
  diffId: Digest;
  /** Chain ID of the layer below, '' for a base layer. */
  parent: Digest | '';
  /** Sum of entry sizes (Docker's layer size). */
  size: number;
  /** The blob the layer came from, as it came (plain or compressed). */
  tarDigest: Digest;
  /** Length of the uncompressed tar (whose sha256 is diffId). */
  tarSize: number;
  compression: Compression;
}

export interface RegisterLayerOptions {
  parent?: Digest | '';
  expectedDiffId?: Digest;
  expectedBlobDigest?: Digest;
  signal?: AbortSignal;
  /** Called with the count of blob bytes read so far. */
  onProgress?: (bytes: number) => void;
  /** The blob's digest when the blob commit verifies it (an uncompressed blob's diffID, then not hashed again). */
  blobDigest?: Digest;
}

/** How an unpacked layer's blob is committed (its digest verified) or dropped. */
export interface BlobCommit {
  commit(): Promise<{ digest: Digest; created: boolean }>;
  abort(): Promise<void>;
}

/** A layer unpacked into a temp directory, its blob committed, not yet placed on a parent. */
export interface UnpackedLayer {
  readonly tmp: string;
  readonly diffId: Digest;
  readonly size: number;
  readonly tarSize: number;
  readonly compression: Compression;
  readonly blobDigest: Digest;
  readonly blobCreated: boolean;
}

export interface RegisteredLayer {
  layer: LayerInfo;
  /** False when the same chain was already stored (the new copy was discarded). */
  created: boolean;
  /** False when the blob was already in the content store. */
  blobCreated: boolean;
}

/**
 * Unpacked layers under `<root>/layers/<chainHex>/{diff,layer.json}`. A layer is unpacked
 * into a temp directory, flushed, described and only then renamed into place, so a
 * layer directory that exists is complete.
 */
export class LayerStore {
  private readonly layers = new Map<string, LayerInfo>();
  private readonly pins = new Map<string, number>();

  private constructor(readonly dir: string, private readonly content: ContentStore, private readonly log: Logger) {}

  static async open(root: string, content: ContentStore, log: Logger): Promise<LayerStore> {
    const dir = join(root, 'layers');
    await mkdir(dir, { recursive: true });
    const s = new LayerStore(dir, content, log);
    for (const name of await readdir(dir)) {
      if (name.startsWith('.tmp-') || name.startsWith('.del-')) {
        await rm(join(dir, name), { recursive: true, force: true });
        continue;
      }
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      try {
        const info = JSON.parse(await readFile(join(dir, name, 'layer.json'), 'utf8')) as LayerInfo;
        if (!isDigest(info.chainId) || digestHex(info.chainId) !== name) throw new Error('chain ID does not match its directory');
        s.layers.set(name, info);
      } catch (e) {
        log.warn('removing unreadable layer', { layer: name, error: String(e) });
        await s.removeDir(name);
      }
    }
    return s;
  }

  get(chainId: Digest | string): LayerInfo | undefined {
    return this.layers.get(digestHex(chainId));
  }

  has(chainId: Digest | string): boolean {
    return this.layers.has(digestHex(chainId));
  }

  all(): LayerInfo[] {
    return [...this.layers.values()];
  }

  /** The unpacked directory of a layer (an overlay lower dir). */
  diffDir(chainId: Digest | string): string {
    return join(this.dir, digestHex(chainId), 'diff');
  }

  /** Keep a layer from being removed while an operation that will reference it runs. */
  pin(chainId: Digest | string): void {
    const k = digestHex(chainId);
    this.pins.set(k, (this.pins.get(k) ?? 0) + 1);
  }

  unpin(chainId: Digest | string): void {
    const k = digestHex(chainId);
    const n = (this.pins.get(k) ?? 0) - 1;
    if (n <= 0) this.pins.delete(k);
    else this.pins.set(k, n);
  }

  isPinned(chainId: Digest | string): boolean {
    return this.pins.has(digestHex(chainId));
  }

  /**
   * Stream a layer blob in: it is stored in the content store as it came and unpacked in
   * the same pass. The result is pinned; callers unpin once an image references it.
   */
  async register(src: AsyncIterable<Buffer> | Readable, opts: RegisterLayerOptions = {}): Promise<RegisteredLayer> {
    const w = await this.content.writer({ expected: opts.expectedBlobDigest });
    const tee = async function* (): AsyncGenerator<Buffer> {
      for await (const c of src as AsyncIterable<Buffer>) {
        await w.write(c);
        yield c;
      }
    };
    return this.registerWith(tee(), w, opts);
  }

  /**
   * Unpack a layer from a verified file (digest `fileDigest`) on the store's filesystem;
   * the file itself becomes the blob, saving a copy.
   */
  async registerFile(path: string, fileDigest: Digest, opts: RegisterLayerOptions = {}): Promise<RegisteredLayer> {
    return this.registerWith(createReadStream(path, { highWaterMark: 1 << 16 }), this.adoptFile(path, fileDigest), opts);
  }

  /** A blob commit that moves an already verified file into the content store. */
  adoptFile(path: string, fileDigest: Digest): BlobCommit {
    const content = this.content;
    return {
      async commit() {
        if (await content.has(fileDigest)) return { digest: fileDigest, created: false };
        await content.adopt(path, fileDigest);
        return { digest: fileDigest, created: true };
      },
      async abort() {},
    };
  }

  private async registerWith(src: AsyncIterable<Buffer> | Readable, blob: BlobCommit, opts: RegisterLayerOptions): Promise<RegisteredLayer> {
    const parent = opts.parent ?? '';
    if (parent && !this.has(parent)) {
      await blob.abort();
      throw new NotFoundError(`layer ${parent} does not exist`);
    }
    return this.place(await this.unpack(src, blob, opts), parent);
  }

  /**
   * Unpack a layer stream into a temp directory, check its diffID, then commit its blob
   * (`blob.commit` verifies the blob's digest): nothing is visible yet, and a failure leaves
   * nothing behind (the blob is aborted). Layers of one image unpack side by side this way;
   * `place` then puts them in order.
   */
  async unpack(src: AsyncIterable<Buffer> | Readable, blob: BlobCommit, opts: Omit<RegisterLayerOptions, 'parent' | 'expectedBlobDigest'> = {}): Promise<UnpackedLayer> {
    const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
    let committed = false;
    try {
      await mkdir(tmp);
      let read = 0;
      const counted = async function* (): AsyncGenerator<Buffer> {
        for await (const c of src as AsyncIterable<Buffer>) {
          read += c.length;
          opts.onProgress?.(read);
          yield c;
        }
      };
      const res = await applyLayer(counted(), { target: join(tmp, 'diff'), signal: opts.signal, inputDigest: opts.blobDigest });
      if (opts.expectedDiffId && res.diffId !== opts.expectedDiffId) {
        throw new InvalidArgumentError(`invalid diffID for layer: expected "${opts.expectedDiffId}", got "${res.diffId}"`);
      }
      const b = await blob.commit();
      committed = true;
      return { tmp, diffId: res.diffId, size: res.size, tarSize: res.tarSize, compression: res.compression, blobDigest: b.digest, blobCreated: b.created };
    } catch (e) {
      if (!committed) await blob.abort();
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Drop an unpacked layer that will not be placed (a lower layer failed). */
  async discard(u: UnpackedLayer): Promise<void> {
    await rm(u.tmp, { recursive: true, force: true });
  }

  /** Put an unpacked layer on top of `parent` (stored): flushed, described, renamed into place, pinned. */
  async place(u: UnpackedLayer, parent: Digest | ''): Promise<RegisteredLayer> {
    const { tmp } = u;
    try {
      if (parent && !this.has(parent)) throw new NotFoundError(`layer ${parent} does not exist`);
      const chainId = childChainId(parent, u.diffId);
      const info: LayerInfo = { chainId, diffId: u.diffId, parent, size: u.size, tarDigest: u.blobDigest, tarSize: u.tarSize, compression: u.compression };
      const hex = digestHex(chainId);
      this.pin(chainId);
      if (this.layers.has(hex)) {
        await rm(tmp, { recursive: true, force: true });
        return { layer: this.layers.get(hex)!, created: false, blobCreated: u.blobCreated };
      }
      await writeJsonAtomic(join(tmp, 'layer.json'), info);
      await syncFilesystem(tmp);
      try {
        await rename(tmp, join(this.dir, hex));
      } catch (e) {
        this.unpin(chainId);
        if (errnoCode(e) !== 'ENOTEMPTY' && errnoCode(e) !== 'EEXIST') throw e;
        await rm(tmp, { recursive: true, force: true });
        const existing = this.layers.get(hex);
        if (!existing) throw e;
        this.pin(chainId);
        return { layer: existing, created: false, blobCreated: u.blobCreated };
      }
      await syncDir(this.dir);
      this.layers.set(hex, info);
      return { layer: info, created: true, blobCreated: u.blobCreated };
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Delete a layer's directory (callers decide that nothing references it). */
  async remove(chainId: Digest | string): Promise<void> {
    const hex = digestHex(chainId);
    this.layers.delete(hex);
    await this.removeDir(hex);
  }

  private async removeDir(hex: string): Promise<void> {
    // rename first so that a crash mid-delete never leaves a half layer under its real name
    const del = join(this.dir, `.del-${hex}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(join(this.dir, hex), del);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return;
      throw e;
    }
    await syncDir(this.dir);
    await rm(del, { recursive: true, force: true });
  }
}
