import type { Readable } from 'node:stream';
import { readTar } from './tar-reader.js';
import { walkTree } from './tree-walk.js';
import { writeTar, type TarWriteEntry } from './tar-writer.js';

/**
 * Docker's rebase of an archive's top name: `from` (and what is below it) becomes `to`. A `to`
 * of "." puts what is below `from` at the top ("./" for `from` itself), as an archive of a
 * path ending in "/." holds. Names outside `from` are kept.
 */
export function rebaseName(name: string, from: string, to: string): string {
  if (from === to) return name;
  let suffix: string;
  if (from === '') suffix = name === '' || name === '/' ? '' : `/${name}`;
  else if (from === '.') {
    // an archive of "dir/." names its entries "./", "./a"...
    if (name !== '.' && name !== './' && !name.startsWith('./')) return name;
    suffix = name.slice(1);
  } else if (name === from || name.startsWith(`${from}/`)) suffix = name.slice(from.length);
  else return name;
  return to === '.' ? `.${suffix === '' ? '/' : suffix}` : `${to}${suffix}`;
}

/**
 * A tar of the entry `under` below the directory `root` (itself first, then what it holds),
 * named `name` at the top (Docker's TarResourceRebase). Reads are fd-relative beneath `root`,
 * never through a symlink (walkTree). `under` '' is the root's contents.
 */
export function tarOfPath(opts: { root: string; under: string; name: string; signal?: AbortSignal }): Readable {
  async function* entries(): AsyncGenerator<TarWriteEntry> {
    for await (const e of walkTree({ root: opts.root, under: opts.under, signal: opts.signal })) {
      const h = { ...e.header, name: rebaseName(e.header.name, opts.under, opts.name) };
      if (h.type === 'link') h.linkname = rebaseName(h.linkname, opts.under, opts.name);
      yield { ...e, header: h };
    }
  }
  return writeTar(entries(), { signal: opts.signal });
}

/** Docker's RebaseArchiveEntries over a tar stream: names (and hard link targets) under `from` move to `to`. */
export function rebaseTar(src: Readable | AsyncIterable<Buffer>, from: string, to: string): Readable {
  async function* entries(): AsyncGenerator<TarWriteEntry> {
    for await (const e of readTar(src as AsyncIterable<Buffer>)) {
      const h = { ...e.header, name: rebaseName(e.header.name, from, to) };
      if (h.type === 'link') h.linkname = rebaseName(h.linkname, from, to);
      yield h.type === 'file' ? { header: h, body: e.body() } : { header: h };
    }
  }
  return writeTar(entries());
}
