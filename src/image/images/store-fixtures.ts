import { mkdtemp, readdir, rm, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { tarBuffer, file, dir } from '../archive/tar-fixtures.js';
import type { ImageService } from './image-service.js';
import type { LoadEvent } from './types.js';

export async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-images-'));
  try { await fn(root); } finally { await rm(root, { recursive: true, force: true }); }
}

/** A small layer tar whose content depends on `seed`. */
export async function layerTar(seed: string, extra: Parameters<typeof tarBuffer>[0] = []): Promise<Buffer> {
  return tarBuffer([dir('etc/'), file(`etc/${seed}`, `content of ${seed}\n`), file('bin/tool', `tool ${seed}`, { mode: 0o755 }), ...extra]);
}

export function readable(buf: Buffer): Readable {
  return Readable.from([buf]);
}

export async function collect(events: AsyncIterable<LoadEvent>): Promise<LoadEvent[]> {
  const out: LoadEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

export async function saveToBuffer(images: ImageService, refs: string[]): Promise<Buffer> {
  const { PassThrough } = await import('node:stream');
  const pt = new PassThrough();
  const parts: Buffer[] = [];
  pt.on('data', (c: Buffer) => parts.push(c));
  await images.save(refs, pt);
  return Buffer.concat(parts);
}

/** Every path under root (except scratch areas) with type and size, to compare store states. */
export async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === 'image/tmp' || r === 'content/ingest') continue;
      const st = await lstat(join(root, r));
      out.push(`${r} ${st.isDirectory() ? 'd' : st.size}`);
      if (st.isDirectory()) await walk(r);
    }
  }
  await walk('');
  return out;
}
