import { writeJsonAtomic, type Digest, type Logger } from '../../base/index.js';
import { readJsonDocument } from '../../store/index.js';
import { familiarName, familiarString, parseNormalizedNamed, referenceName, referenceString, tagNameOnly, type Reference } from '../../oci/index.js';

interface RepositoriesFile {
  Repositories: Record<string, Record<string, string>>;
}

/**
 * name:tag and name@digest → image ID, persisted as Docker's repositories.json
 * (familiar names as keys). Mutations happen in memory and are written with save().
 */
export class ReferenceStore {
  private readonly refs = new Map<string, { ref: Reference; id: Digest }>();

  private constructor(private readonly file: string) {}

  static async open(file: string, log: Logger): Promise<ReferenceStore> {
    const s = new ReferenceStore(file);
    const doc = await readJsonDocument<RepositoriesFile>(file).catch((e: unknown) => {
      log.warn('ignoring unreadable repositories.json', { error: String(e) });
      return undefined;
    });
    for (const repo of Object.values(doc?.Repositories ?? {})) {
      for (const [refStr, id] of Object.entries(repo)) {
        try {
          const ref = parseNormalizedNamed(refStr);
          s.refs.set(referenceString(ref), { ref, id: id as Digest });
        } catch {
          log.warn('ignoring invalid reference in repositories.json', { ref: refStr });
        }
      }
    }
    return s;
  }

  async save(): Promise<void> {
    const doc: RepositoriesFile = { Repositories: {} };
    for (const { ref, id } of this.refs.values()) {
      const repo = (doc.Repositories[familiarName(ref)] ??= {});
      repo[familiarString(ref)] = id;
    }
    await writeJsonAtomic(this.file, doc);
  }

  /** The image a tag or digest reference points at (a bare name means :latest). */
  get(ref: Reference): Digest | undefined {
    const r = ref.digest ? { domain: ref.domain, path: ref.path, digest: ref.digest } : tagNameOnly(ref);
    return this.refs.get(referenceString(r))?.id;
  }

  set(ref: Reference, id: Digest): void {
    this.refs.set(referenceString(ref), { ref, id });
  }

  delete(ref: Reference): boolean {
    return this.refs.delete(referenceString(ref));
  }

  /** References to an image, sorted as Docker lists them. */
  byImage(id: string): Reference[] {
    const out: Reference[] = [];
    for (const v of this.refs.values()) if (v.id === id) out.push(v.ref);
    return out.sort((a, b) => cmp(familiarString(a), familiarString(b)));
  }

  /** Every reference with the given repository name. */
  byName(ref: Reference): Array<{ ref: Reference; id: Digest }> {
    const name = referenceName(ref);
    return [...this.refs.values()].filter((v) => referenceName(v.ref) === name).sort((a, b) => cmp(familiarString(a.ref), familiarString(b.ref)));
  }

  all(): Array<{ ref: Reference; id: Digest }> {
    return [...this.refs.values()];
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
