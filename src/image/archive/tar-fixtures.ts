import type { TarHeader } from './tar-header.js';
import { writeTar, type TarWriteEntry } from './tar-writer.js';

/** Test fixture: a header with defaults. */
export function hdr(name: string, over: Partial<TarHeader> = {}): TarHeader {
  return { name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_600_000_000, linkname: '', ...over };
}

export function file(name: string, content: string | Buffer, over: Partial<TarHeader> = {}): TarWriteEntry {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  return { header: hdr(name, { size: body.length, ...over }), body };
}

export function dir(name: string, over: Partial<TarHeader> = {}): TarWriteEntry {
  return { header: hdr(name, { type: 'directory', mode: 0o755, ...over }) };
}

export function symlinkEntry(name: string, target: string, over: Partial<TarHeader> = {}): TarWriteEntry {
  return { header: hdr(name, { type: 'symlink', mode: 0o777, linkname: target, ...over }) };
}

export function hardlinkEntry(name: string, target: string): TarWriteEntry {
  return { header: hdr(name, { type: 'link', linkname: target }) };
}

/** Collect a tar built from entries into one buffer. */
export async function tarBuffer(entries: TarWriteEntry[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of writeTar(entries)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export async function* chunksOf(buf: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
