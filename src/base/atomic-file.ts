import { open, readdir, rename, mkdir, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Write a file so that a crash at any moment leaves either the old or the new
 * content: temp file in the same directory, fsync, rename, fsync the directory.
 * `durable: false` drops the fsyncs for files a reboot wipes anyway (tmpfs state
 * under /run): the rename still keeps a process that dies half-way from leaving
 * half a file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number; durable?: boolean } = {}): Promise<void> {
  const durable = opts.durable ?? true;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(dir, { recursive: true });
  const fh = await open(tmp, 'w', opts.mode ?? 0o644);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  if (durable) await syncDir(dir);
}

export async function writeJsonAtomic(path: string, value: unknown, opts: { durable?: boolean } = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value), opts);
}

export async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try { await dh.sync(); } finally { await dh.close(); }
}

/** Whether a directory entry is the temp file of a writeFileAtomic() that a crash interrupted. */
export function isAtomicTemp(name: string): boolean {
  return /^\..+\.[0-9a-f]{12}\.tmp$/.test(name);
}

/** Delete the temp files interrupted atomic writes left in `dir` (call where no write is in flight). */
export async function removeAtomicTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter(isAtomicTemp).map((n) => unlink(join(dir, n)).catch(() => {})));
}
