import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The JSON documents of a directory of atomically written records, by file name without
 * ".json"; the directory is made if missing, and temp files an interrupted atomic write left
 * behind (".<name>.<rand>.tmp") are removed on the way.
 */
export async function readJsonDocuments<T>(dir: string): Promise<Map<string, T>> {
  await mkdir(dir, { recursive: true });
  const docs = new Map<string, T>();
  for (const name of await readdir(dir)) {
    if (name.startsWith('.')) {
      if (name.endsWith('.tmp')) await unlink(join(dir, name)).catch(() => {});
      continue;
    }
    if (name.endsWith('.json')) docs.set(name.slice(0, -'.json'.length), JSON.parse(await readFile(join(dir, name), 'utf8')) as T);
  }
  return docs;
}
