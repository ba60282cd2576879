import { json, type Router } from '../server/index.js';

/**
 * POST /build/prune: berth keeps no build cache yet (the builder's issue), so a prune deletes
 * nothing; `docker system prune` calls it after the other prunes and fails without it.
 */
export function buildCacheRoutes(r: Router): void {
  r.post('/build/prune', () => json({ CachesDeleted: [], SpaceReclaimed: 0 }));
}
