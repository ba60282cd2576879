import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Remove temp files an interrupted atomic write left behind (".<name>.<rand>.tmp"). */
export async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith('.') && name.endsWith('.tmp')) await unlink(join(dir, name)).catch(() => {});
  }
}
