import { join } from 'node:path';
import { writeJsonAtomic } from '../../base/index.js';
import type { RuntimeSpec } from '../../oci/index.js';

/**
 * Write the spec as the bundle's config.json: atomically, so a daemon that dies half-way never
 * leaves half a config, but without fsync, since the bundle lives in the exec root, runtime state
 * that a reboot wipes anyway, and the two fsyncs cost ~4 ms of every start on a disk.
 */
export async function writeBundle(bundleDir: string, spec: RuntimeSpec): Promise<void> {
  await writeJsonAtomic(join(bundleDir, 'config.json'), spec, { durable: false });
}
