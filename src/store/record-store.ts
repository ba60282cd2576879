import { mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, removeAtomicTemps, writeJsonAtomic } from '../base/index.js';

/**
 * Where a store keeps each record's document:
 * - `files`: `<dir>/<key>.json`, other names in `dir` are not records;
 * - `directories`: `<dir>/<key>/<file>`, in a directory that also holds the record's other files
 *   (every entry of `dir` is a record's directory, and delete() removes it whole).
 */
export type RecordLayout = { kind: 'files' } | { kind: 'directories'; file: string };

export interface RecordStoreOptions<T> {
  dir: string;
  layout: RecordLayout;
  /** The record a loaded document stands for (default: the document itself). */
  decode?: (doc: unknown, key: string) => T;
  /** The document written for a record (default: the record itself). */
  encode?: (value: T) => unknown;
  /**
   * Called at open for a record that cannot be loaded: its directory has no document (a create
   * that never finished) or the document is not JSON. The record is skipped; without this
   * callback open() throws instead. Any other failure to read throws.
   */
  onUnreadable?: (key: string, error: unknown) => Promise<void>;
}

/**
 * Records kept as one JSON document each, written atomically (temp, fsync, rename), loaded
 * whole at open (sweeping the temp files interrupted writes left) and indexed in memory by key.
 */
export class RecordStore<T> {
  private readonly index = new Map<string, T>();
  private readonly encode: (value: T) => unknown;

  private constructor(readonly dir: string, private readonly layout: RecordLayout, encode: ((value: T) => unknown) | undefined) {
    this.encode = encode ?? ((v) => v);
  }

  static async open<T>(opts: RecordStoreOptions<T>): Promise<RecordStore<T>> {
    const store = new RecordStore<T>(opts.dir, opts.layout, opts.encode);
    const decode = opts.decode ?? ((doc: unknown) => doc as T);
    await mkdir(opts.dir, { recursive: true });
    const names = await readdir(opts.dir);
    // the store owns a `files` directory: any dot-file ending in .tmp is a write of its own that a crash cut short
    if (opts.layout.kind === 'files') await Promise.all(names.filter((n) => n.startsWith('.') && n.endsWith('.tmp')).map((n) => unlink(join(opts.dir, n)).catch(() => {})));
    const keys = store.keysOnDisk(names);
    const loaded = await Promise.all(keys.map(async (key) => {
      let doc: unknown;
      try {
        doc = JSON.parse(await readFile(store.file(key), 'utf8'));
      } catch (e) {
        if (!opts.onUnreadable || !(errnoCode(e) === 'ENOENT' || e instanceof SyntaxError)) throw e;
        await opts.onUnreadable(key, e);
        return undefined;
      }
      // a record's directory holds other files too: sweep only what writeFileAtomic leaves
      if (opts.layout.kind === 'directories') await removeAtomicTemps(store.recordDir(key));
      return { key, value: decode(doc, key) };
    }));
    for (const r of loaded) if (r) store.index.set(r.key, r.value);
    return store;
  }

  get(key: string): T | undefined {
    return this.index.get(key);
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** Records in the order they were loaded, then added. */
  values(): T[] {
    return [...this.index.values()];
  }

  entries(): Array<[string, T]> {
    return [...this.index.entries()];
  }

  get size(): number {
    return this.index.size;
  }

  /**
   * Write the record's document, then index it. `durable: false` skips the fsyncs: the rename still
   * leaves the old or the new document after a kill -9, but a power cut may bring back the old one
   * (for changes whose loss start-up recovery undoes anyway).
   */
  async put(key: string, value: T, opts: { durable?: boolean } = {}): Promise<void> {
    await writeJsonAtomic(this.file(key), this.encode(value), opts);
    this.index.set(key, value);
  }

  /**
   * Index the record at once; the returned promise settles once its document is on disk. If the
   * write fails the record is dropped from the index again (unless something replaced it since).
   */
  putNow(key: string, value: T, opts: { durable?: boolean } = {}): Promise<void> {
    this.index.set(key, value);
    const written = writeJsonAtomic(this.file(key), this.encode(value), opts).catch((e: unknown) => {
      if (this.index.get(key) === value) this.index.delete(key);
      throw e;
    });
    written.catch(() => {});
    return written;
  }

  /** Drop the record from the index only; its document stays on disk. */
  forget(key: string): void {
    this.index.delete(key);
  }

  /** Delete the record's document (its whole directory with the `directories` layout), then forget it. */
  async delete(key: string): Promise<void> {
    if (this.layout.kind === 'directories') await rm(this.recordDir(key), { recursive: true, force: true });
    else {
      await unlink(this.file(key)).catch((e: unknown) => {
        if (errnoCode(e) !== 'ENOENT') throw e;
      });
    }
    this.index.delete(key);
  }

  /** The directory of a record with the `directories` layout. */
  recordDir(key: string): string {
    return join(this.dir, key);
  }

  /** The path of a record's document. */
  file(key: string): string {
    return this.layout.kind === 'directories' ? join(this.dir, key, this.layout.file) : join(this.dir, `${key}.json`);
  }

  private keysOnDisk(names: string[]): string[] {
    if (this.layout.kind === 'directories') return names;
    return names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).map((n) => n.slice(0, -'.json'.length));
  }
}

/** The JSON document at `path`, or undefined when there is none. */
export async function readJsonDocument<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}
