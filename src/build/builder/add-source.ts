import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { InvalidArgumentError } from '../../base/index.js';
import { ScopedDir } from '../../host/index.js';
import { decompressStream, readTar, type TarWriteEntry } from '../../image/index.js';
import { cleanPath } from '../../oci/index.js';

/** A file ADD fetched or made: its name, bytes, mode and mtime. */
export interface AddedSource { name: string; body: Buffer; mode: number; mtime: number }

/** ADD fetches past this size are refused: the body is held in memory to hash it before the copy. */
const MAX_URL_BODY = 512 * 1024 * 1024;

async function fromUrl(url: string, opts: { checksum?: string; signal?: AbortSignal }): Promise<AddedSource> {
  const name = posix.basename(new URL(url).pathname);
  if (!name || name === '/') throw new InvalidArgumentError(`cannot determine filename from url: ${url}`);
  let res: Response;
  try {
    res = await fetch(url, { signal: opts.signal, redirect: 'follow' });
  } catch (e) {
    throw new InvalidArgumentError(`failed to GET ${url}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`);
  }
  if (!res.ok) throw new InvalidArgumentError(`failed to GET ${url} with status ${res.status} ${res.statusText}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > MAX_URL_BODY) throw new InvalidArgumentError(`ADD ${url}: larger than ${MAX_URL_BODY} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  const body = Buffer.concat(chunks);
  if (opts.checksum) {
    const m = /^sha256:([0-9a-f]{64})$/.exec(opts.checksum);
    if (!m) throw new InvalidArgumentError(`invalid checksum digest format: ${opts.checksum}`);
    const actual = createHash('sha256').update(body).digest('hex');
    if (actual !== m[1]) throw new InvalidArgumentError(`digest mismatch sha256:${actual}: ${opts.checksum}`);
  }
  const modified = Date.parse(res.headers.get('last-modified') ?? '');
  return { name, body, mode: 0o600, mtime: Number.isNaN(modified) ? 0 : Math.floor(modified / 1000) };
}

/** A local file ADD unpacks: a tar, plain or compressed (gzip, bzip2, xz). */
async function isArchive(dir: ScopedDir, rel: string): Promise<boolean> {
  const fd = dir.openRead(rel);
  try {
    const { stream } = await decompressStream(createReadStream('', { fd, autoClose: false, start: 0, end: 1 << 20 }) as AsyncIterable<Buffer>);
    const head: Buffer[] = [];
    let len = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        head.push(chunk);
        len += chunk.length;
        if (len >= 512) break;
      }
    } catch {
      return false;
    }
    const block = Buffer.concat(head).subarray(0, 512);
    return block.length === 512 && block.subarray(257, 262).toString('latin1') === 'ustar' || (block.length === 512 && oldTarChecksumOk(block));
  } finally {
    (await import('node:fs')).closeSync(fd);
  }
}

function oldTarChecksumOk(block: Buffer): boolean {
  const stored = parseInt(block.subarray(148, 156).toString('latin1').replace(/[\0 ]/g, ''), 8);
  if (Number.isNaN(stored) || block[0] === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === stored;
}

/**
 * The archive's entries under `dest`; an entry that would land outside `dest` is refused. The
 * archive is opened in `root` when the entries are read (the plan hashes them, the step copies
 * them), so no handle outlives one reading.
 */
async function* archiveEntries(root: string, rel: string, dest: string, signal?: AbortSignal): AsyncIterable<TarWriteEntry> {
  const dir = ScopedDir.open(root);
  let fd: number;
  try {
    fd = dir.openRead(rel);
  } finally {
    dir.close();
  }
  const base = cleanPath(dest.startsWith('/') ? dest : `/${dest}`);
  const failed = (e: unknown): Error => {
    if (signal?.aborted || (e instanceof InvalidArgumentError && /^(invalid archive|failed to extract) /.test(e.message))) return e as Error;
    return new InvalidArgumentError(`failed to extract ${rel}: ${(e as Error).message}`);
  };
  // A body is read by the consumer, after the yield: its errors are named here too.
  async function* guarded(body: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    try {
      yield* body;
    } catch (e) {
      throw failed(e);
    }
  }
  try {
    const { stream } = await decompressStream(createReadStream('', { fd }) as AsyncIterable<Buffer>, { signal });
    for await (const e of readTar(stream as AsyncIterable<Buffer>)) {
      const name = cleanPath(`${base}/${e.header.name}`);
      if (name !== base && !name.startsWith(base === '/' ? '/' : `${base}/`)) throw new InvalidArgumentError(`invalid archive ${rel}: entry "${e.header.name}" leaves the destination`);
      const header = { ...e.header, name: e.header.type === 'directory' ? `${name}/` : name };
      if (header.type === 'link') header.linkname = cleanPath(`${base}/${e.header.linkname}`);
      yield { header, body: guarded(e.body()) };
    }
  } catch (e) {
    throw failed(e);
  }
}

export const addSource = { fromUrl, isArchive, archiveEntries };
