import { join } from 'node:path';
import { writeJsonAtomic } from '../../base/index.js';
import type { RuntimeSpec } from '../../oci/index.js';

/** Write the spec as the bundle's config.json (atomically: a crash never leaves half a config). */
export async function writeBundle(bundleDir: string, spec: RuntimeSpec): Promise<void> {
  await writeJsonAtomic(join(bundleDir, 'config.json'), spec);
}
