import type { DistributionBackend } from '../api/routes/distribution.js';
import type { ImageService } from '../image/index.js';
import { familiarName, parseNormalizedNamed, type Reference } from '../oci/index.js';
import type { RegistryClient } from '../registry/index.js';
import { HeapMode } from './heap-mode.js';

/**
 * The distribution routes' backend: the registry client, plus the local tags a tagless push sends.
 * Pulls and pushes run with V8 in transfer mode (see HeapMode).
 */
export function distributionBackend(client: RegistryClient, images: ImageService, heap = new HeapMode()): DistributionBackend {
  return {
    pull: (ref, opts) => heap.during(client.pull(ref, opts)),
    push: (ref, opts) => heap.during(client.push(ref, opts)),
    login: (server, creds, signal) => client.login(server, creds, signal),
    search: (term, opts) => client.search(term, opts),
    localTags: async (repo: Reference) => {
      const name = familiarName(repo);
      const tags = new Set<string>();
      for (const img of await images.list({})) {
        for (const t of img.repoTags) {
          const r = parseNormalizedNamed(t);
          if (familiarName(r) === name && r.tag !== undefined) tags.add(r.tag);
        }
      }
      return [...tags].sort();
    },
  };
}
