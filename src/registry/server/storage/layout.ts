import { join } from 'node:path';
import { digestHex, type Digest } from '../../../base/index.js';

/**
 * Where things live under storage.filesystem.rootdirectory: the reference registry's own layout
 * (docker/registry/v2/...), so a root written by either server can be served by the other.
 * Every name reaching here has been checked (repository grammar, digest, tag, upload id), so
 * no path built below leaves the root.
 */
export class StorageLayout {
  readonly base: string;
  constructor(readonly root: string) {
    this.base = join(root, 'docker/registry/v2');
  }
  blobsDir(): string { return join(this.base, 'blobs/sha256'); }
  blobDir(d: Digest): string { const h = digestHex(d); return join(this.base, 'blobs/sha256', h.slice(0, 2), h); }
  blobData(d: Digest): string { return join(this.blobDir(d), 'data'); }
  repositoriesDir(): string { return join(this.base, 'repositories'); }
  repoDir(name: string): string { return join(this.base, 'repositories', name); }
  layerLink(name: string, d: Digest): string { return join(this.repoDir(name), '_layers/sha256', digestHex(d), 'link'); }
  layersDir(name: string): string { return join(this.repoDir(name), '_layers/sha256'); }
  revisionsDir(name: string): string { return join(this.repoDir(name), '_manifests/revisions/sha256'); }
  revisionLink(name: string, d: Digest): string { return join(this.revisionsDir(name), digestHex(d), 'link'); }
  tagsDir(name: string): string { return join(this.repoDir(name), '_manifests/tags'); }
  tagDir(name: string, tag: string): string { return join(this.tagsDir(name), tag); }
  tagCurrentLink(name: string, tag: string): string { return join(this.tagDir(name, tag), 'current/link'); }
  tagIndexLink(name: string, tag: string, d: Digest): string { return join(this.tagDir(name, tag), 'index/sha256', digestHex(d), 'link'); }
  /** berth's addition: manifests whose `subject` is `subject`, for the referrers API. */
  referrersDir(name: string, subject: Digest): string { return join(this.repoDir(name), '_manifests/referrers/sha256', digestHex(subject), 'sha256'); }
  referrerLink(name: string, subject: Digest, d: Digest): string { return join(this.referrersDir(name, subject), digestHex(d), 'link'); }
  uploadsDir(name: string): string { return join(this.repoDir(name), '_uploads'); }
  uploadDir(name: string, id: string): string { return join(this.uploadsDir(name), id); }
}
