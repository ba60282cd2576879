import { isDigest, type Digest } from '../../base/index.js';
import { isRepositoryPath } from '../../oci/index.js';
import { DistributionError } from './errors.js';
import { BlobStore, ManifestStore, StorageLayout, UploadStore } from './storage/index.js';

/** The stores over one root directory, and the storage policy (delete, read-only) the handlers obey. */
export class RegistryStorage {
  readonly layout: StorageLayout;
  readonly blobs: BlobStore;
  readonly uploads: UploadStore;
  readonly manifests: ManifestStore;

  constructor(readonly opts: { rootDirectory: string; deleteEnabled: boolean; readOnly: boolean }) {
    this.layout = new StorageLayout(opts.rootDirectory);
    this.blobs = new BlobStore(this.layout);
    this.uploads = new UploadStore(this.layout, this.blobs);
    this.manifests = new ManifestStore(this.layout, this.blobs);
  }

  checkDelete(): void {
    this.checkWrite();
    if (!this.opts.deleteEnabled) throw new DistributionError('UNSUPPORTED', undefined, {}, 'The operation is unsupported: deletion is disabled (storage.delete.enabled)');
  }

  checkWrite(): void {
    if (this.opts.readOnly) throw new DistributionError('UNSUPPORTED', undefined, {}, 'The operation is unsupported: the registry is in read-only mode (storage.maintenance.readonly)');
  }

  digestParam(s: string): Digest {
    if (!isDigest(s)) throw new DistributionError('DIGEST_INVALID', { digest: s }, {}, `invalid digest "${s}": expected sha256:<64 hex digits>`);
    return s;
  }

  validName(s: string): boolean {
    return isRepositoryPath(s);
  }
}
