import type { HistoryResponseItem, ImageSummary } from '../../api/types/index.js';
import { familiarName, parseNormalizedNamed, type Reference } from '../../oci/index.js';
import { ago } from './duration.js';
import { ellipsis, goTimeString, humanSize3, humanSize4, rfc3339, truncateId } from './text.js';

export const DEFAULT_IMAGE_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
export const DEFAULT_IMAGE_TABLE_DIGEST = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

export const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT', Size: 'SIZE', Containers: 'CONTAINERS', VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
};

/** The `images` format for the given flags (docker's NewImageFormat). */
export function imageFormat(source: string, opts: { quiet: boolean; digests: boolean }): string {
  if (source === 'table') {
    if (opts.quiet) return '{{.ID}}';
    return opts.digests ? DEFAULT_IMAGE_TABLE_DIGEST : DEFAULT_IMAGE_TABLE;
  }
  if (source === 'raw') {
    if (opts.quiet) return 'image_id: {{.ID}}';
    return opts.digests
      ? 'repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n'
      : 'repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';
  }
  if (source.startsWith('table') && opts.digests && !source.includes('{{.Digest}}')) return `${source}\t{{.Digest}}`;
  return source;
}

export function isDangling(img: ImageSummary): boolean {
  const tags = img.RepoTags ?? [];
  const digests = img.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

export function imageRow(img: ImageSummary, repo: string, tag: string, digest: string, trunc: boolean, now?: number): Record<string, unknown> {
  const created = img.Created ?? 0;
  return {
    Containers: img.Containers === -1 || img.Containers === undefined ? 'N/A' : String(img.Containers),
    CreatedAt: goTimeString(created),
    CreatedSince: ago(created, now),
    Digest: digest,
    ID: trunc ? truncateId(img.Id) : img.Id,
    Repository: repo,
    SharedSize: img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize4(img.SharedSize),
    Size: humanSize3(img.Size ?? 0),
    Tag: tag,
    UniqueSize: img.Size === -1 || img.SharedSize === -1 || img.SharedSize === undefined ? 'N/A' : humanSize4((img.Size ?? 0) - img.SharedSize),
    VirtualSize: humanSize4(img.Size ?? 0),
  };
}

/** References grouped by familiar repository name: `part` of each (its tag or digest); unparsable ones and those without the part are skipped. */
function byRepository(refs: readonly string[] | null | undefined, part: (ref: Reference) => string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of refs ?? []) {
    let ref: Reference;
    try {
      ref = parseNormalizedNamed(s);
    } catch {
      continue; // unparsable
    }
    const value = part(ref);
    if (value === undefined) continue;
    const name = familiarName(ref);
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

/**
 * `images` rows: one per repository:tag (and per digest when digests are shown),
 * "<none>" for dangling images, as docker's imageFormatTaggedAndDigest.
 */
export function imageRows(images: readonly ImageSummary[], opts: { trunc: boolean; digests: boolean; format: string; now?: number }): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const needDigest = opts.digests || opts.format.includes('{{.Digest}}');
  for (const img of images) {
    if (isDangling(img)) {
      rows.push(imageRow(img, '<none>', '<none>', '<none>', opts.trunc, opts.now));
      continue;
    }
    const repoTags = byRepository(img.RepoTags, (ref) => ref.tag);
    const repoDigests = byRepository(img.RepoDigests, (ref) => ref.digest);
    for (const [repo, tags] of repoTags) {
      let digests = repoDigests.get(repo) ?? [];
      repoDigests.delete(repo);
      if (!needDigest) digests = [];
      for (const tag of tags) {
        if (digests.length === 0) rows.push(imageRow(img, repo, tag, '<none>', opts.trunc, opts.now));
        else for (const d of digests) rows.push(imageRow(img, repo, tag, d, opts.trunc, opts.now));
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (opts.digests) for (const d of digests) rows.push(imageRow(img, repo, '<none>', d, opts.trunc, opts.now));
      else rows.push(imageRow(img, repo, '<none>', '', opts.trunc, opts.now));
    }
  }
  return rows;
}

export const DEFAULT_HISTORY_TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
export const NON_HUMAN_HISTORY_TABLE = 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

export const HISTORY_HEADERS: Record<string, string> = {
  ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT',
};

export function historyFormat(source: string, opts: { quiet: boolean; human: boolean }): string {
  if (source === 'table') {
    if (opts.quiet) return '{{.ID}}';
    return opts.human ? DEFAULT_HISTORY_TABLE : NON_HUMAN_HISTORY_TABLE;
  }
  return source;
}

const EPOCH_2000 = Date.UTC(2000, 0, 1) / 1000;

/** A `history` row (docker's historyContext). */
export function historyRow(h: HistoryResponseItem, opts: { trunc: boolean; human: boolean; now?: number }): Record<string, unknown> {
  const createdAt = rfc3339(h.Created);
  const createdBy = (h.CreatedBy ?? '').replaceAll('\t', ' ');
  return {
    Comment: h.Comment ?? '',
    CreatedAt: createdAt,
    CreatedBy: opts.trunc ? ellipsis(createdBy, 45) : createdBy,
    CreatedSince: !opts.human ? createdAt : h.Created <= EPOCH_2000 ? 'N/A' : ago(h.Created, opts.now),
    ID: opts.trunc ? truncateId(h.Id) : h.Id,
    Size: opts.human ? humanSize3(h.Size) : String(h.Size),
  };
}
