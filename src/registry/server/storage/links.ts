import { readFile } from 'node:fs/promises';
import { errnoCode, isDigest, writeFileAtomic, type Digest } from '../../../base/index.js';

/** Read a link file (a digest); undefined when it does not exist or holds no digest. */
export async function readLink(path: string): Promise<Digest | undefined> {
  try {
    const s = (await readFile(path, 'utf8')).trim();
    return isDigest(s) ? s : undefined;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

export async function writeLink(path: string, d: Digest): Promise<void> {
  await writeFileAtomic(path, d);
}
