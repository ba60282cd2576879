import { createHash } from 'node:crypto';
import { NotFoundError } from '../../base/index.js';
import type { BuildCache, BuildEngine, BuildMessage } from './engine.js';

/** What a replayed build does again, in order: its messages and its tags. */
type Act = { emit: BuildMessage } | { tag: { imageId: string; ref: string } };

/** A build every step of which came from the cache, and what it relied on. */
export interface MemoEntry {
  /** Image references the build resolved (FROM, COPY --from) and the IDs they named. */
  bases: Array<[string, string]>;
  /** Step cache keys and the images they named. */
  steps: Array<[string, string]>;
  acts: Act[];
  finalId: string;
}

const MAX_ENTRIES = 64;

/**
 * Fully cached builds, replayed. A rebuild whose request and context bytes equal those of a
 * build in which every step was a cache hit does what that build did (the same messages, the
 * same tags) without unpacking the context or walking the Dockerfile again, once it has checked
 * that each image reference and step key it relied on still names the same image. Anything
 * else (a step that ran, a pull, an ADD from a URL, a missing image) is not remembered. Kept in
 * memory only: a daemon restart starts empty.
 */
export class BuildMemo {
  private readonly entries = new Map<string, MemoEntry>();

  /** The memo key of a request (its fields that shape the build, canonically) and its context bytes. */
  static key(request: unknown, context: readonly Buffer[]): string {
    const h = createHash('sha256').update(JSON.stringify(request)).update('\0');
    for (const chunk of context) h.update(chunk);
    return h.digest('hex');
  }

  remember(key: string, entry: MemoEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  /**
   * Replays the build remembered under `key` when there is one and everything it relied on still
   * holds; resolves with the image ID, or undefined (having emitted and changed nothing) when the
   * build must run.
   */
  async replay(key: string, d: { engine: BuildEngine; cache: BuildCache; emit(m: BuildMessage): void }): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    for (const [ref, id] of entry.bases) {
      try {
        if ((await d.engine.image(ref, { pull: 'never' })).id !== id) return this.forget(key);
      } catch (e) {
        if (e instanceof NotFoundError) return this.forget(key);
        throw e;
      }
    }
    for (const [stepKey, id] of entry.steps) if ((await d.cache.get(stepKey)) !== id) return this.forget(key);
    for (const act of entry.acts) {
      if ('emit' in act) d.emit(act.emit);
      else await d.engine.tag(act.tag.imageId, act.tag.ref);
    }
    return entry.finalId;
  }

  private forget(key: string): undefined {
    this.entries.delete(key);
    return undefined;
  }
}

/**
 * Watches one build through its engine, cache and messages, and tells afterwards whether it can
 * be replayed: only image lookups without a pull, cache hits, pure reads of images and tags.
 */
export class MemoRecorder {
  private readonly bases: Array<[string, string]> = [];
  private readonly steps: Array<[string, string]> = [];
  private readonly acts: Act[] = [];
  private volatile = false;
  readonly engine: BuildEngine;
  readonly cache: BuildCache;

  constructor(engine: BuildEngine, cache: BuildCache) {
    const uses = (): void => {
      this.volatile = true;
    };
    this.engine = {
      image: async (ref, opts) => {
        if (opts.pull === 'always') uses();
        const progress = opts.progress;
        const img = await engine.image(ref, { ...opts, ...(progress ? { progress: (l: string) => { uses(); progress(l); } } : {}) });
        this.bases.push([ref, img.id]);
        return img;
      },
      tag: async (imageId, ref) => {
        this.acts.push({ tag: { imageId, ref } });
        await engine.tag(imageId, ref);
      },
      pathKind: (imageId, path) => engine.pathKind(imageId, path),
      resolveOwner: (imageId, spec) => engine.resolveOwner(imageId, spec),
      createContainer: (o) => (uses(), engine.createContainer(o)),
      runContainer: (id, o) => (uses(), engine.runContainer(id, o)),
      copyInto: (id, o) => (uses(), engine.copyInto(id, o)),
      commit: (o) => (uses(), engine.commit(o)),
      imageFromHistory: (o) => (uses(), engine.imageFromHistory(o)),
      removeContainer: (id) => (uses(), engine.removeContainer(id)),
      removeMountStubs: (id, t) => (uses(), engine.removeMountStubs(id, t)),
      cacheDir: (id, o) => (uses(), engine.cacheDir(id, o)),
      scratchView: (dir) => (uses(), engine.scratchView(dir)),
      mountImage: (id) => (uses(), engine.mountImage(id)),
    };
    this.cache = {
      get: async (key) => {
        const id = await cache.get(key);
        if (id === undefined) uses();
        else this.steps.push([key, id]);
        return id;
      },
      set: (key, id) => (uses(), cache.set(key, id)),
    };
  }

  /** A step's result came from outside the context and the images (an ADD from a URL). */
  readonly remote = (): void => {
    this.volatile = true;
  };

  emit(m: BuildMessage): void {
    this.acts.push({ emit: m });
  }

  /** The entry to remember, when the build was one that can be replayed. */
  entry(finalId: string): MemoEntry | undefined {
    if (this.volatile) return undefined;
    return { bases: this.bases, steps: this.steps, acts: this.acts, finalId };
  }
}
