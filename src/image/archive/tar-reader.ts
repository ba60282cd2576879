import { InvalidArgumentError } from '../../base/index.js';
import { BLOCK, decodeHeader, isZeroBlock, paddingFor, parsePax, type TarHeader } from './tar-header.js';

/** A tar entry; `body()` streams its content and may be called once, before the next entry. */
export interface TarEntry {
  header: TarHeader;
  body(): AsyncIterable<Buffer>;
}

/** Go's archive/tar bound on PAX and GNU long-name records (maxSpecialFileSize). */
const MAX_META_SIZE = 1 << 20;
/** uid and gid are 32 bits on Linux, and (uid_t)-1 means "unchanged" to chown. */
const MAX_ID = 0xffff_fffe;
/** Go's time.Time from int64 seconds: what archive/tar accepts. */
const MAX_SECONDS = 9_223_372_036_854_775_807;

/** Pulls exact byte counts from an async chunk source without copying when it can. */
class ByteSource {
  private chunks: Buffer[] = [];
  private head = 0;
  private avail = 0;
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  async ensure(n: number): Promise<boolean> {
    while (this.avail < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        this.chunks.push(b);
        this.avail += b.length;
      }
    }
    return this.avail >= n;
  }

  get available(): number {
    return this.avail;
  }

  /** Take up to `n` buffered bytes as one chunk (zero-copy within a chunk). */
  takeSome(n: number): Buffer {
    const first = this.chunks[0]!;
    const rest = first.length - this.head;
    const k = Math.min(rest, n);
    const out = first.subarray(this.head, this.head + k);
    this.head += k;
    this.avail -= k;
    if (this.head === first.length) {
      this.chunks.shift();
      this.head = 0;
    }
    return out;
  }

  /** Take exactly `n` buffered bytes (callers ensure() first). */
  take(n: number): Buffer {
    const first = this.takeSome(n);
    if (first.length === n) return first;
    const parts = [first];
    let got = first.length;
    while (got < n) {
      const p = this.takeSome(n - got);
      parts.push(p);
      got += p.length;
    }
    return Buffer.concat(parts, n);
  }

  async readExact(n: number): Promise<Buffer> {
    if (!(await this.ensure(n))) throw unexpectedEof();
    return this.take(n);
  }

  /** Skip `n` bytes if they are all buffered (true), else nothing (false). */
  skipBuffered(n: number): boolean {
    if (n > this.avail) return false;
    let left = n;
    while (left > 0) left -= this.takeSome(left).length;
    return true;
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.avail === 0 && !(await this.ensure(1))) throw unexpectedEof();
      left -= this.takeSome(left).length;
    }
  }
}

function unexpectedEof(): InvalidArgumentError {
  return new InvalidArgumentError('unexpected EOF');
}

function invalidHeader(why: string, offset: number): InvalidArgumentError {
  return new InvalidArgumentError(`archive/tar: invalid tar header: ${why} (header at byte ${offset})`);
}

/** Refuse numbers no tar writer produces and Linux cannot take: Go's rules, and Linux's widths. */
function checkHeader(h: TarHeader, offset: number): void {
  const name = JSON.stringify(h.name.length > 100 ? `${h.name.slice(0, 100)}...` : h.name);
  if (!Number.isSafeInteger(h.size) || h.size < 0) throw invalidHeader(`size of ${name} is not a non-negative integer`, offset);
  if (!Number.isSafeInteger(h.mode) || h.mode < 0) throw invalidHeader(`mode of ${name} is not a number`, offset);
  for (const k of ['uid', 'gid'] as const) {
    if (!Number.isSafeInteger(h[k]) || h[k] < 0 || h[k] > MAX_ID) throw invalidHeader(`${k} ${h[k]} of ${name} is out of range (0-${MAX_ID})`, offset);
  }
  if (!Number.isFinite(h.mtime) || Math.abs(h.mtime) > MAX_SECONDS) throw invalidHeader(`mtime of ${name} is out of range`, offset);
  if (h.type === 'char' || h.type === 'block') {
    for (const k of ['devmajor', 'devminor'] as const) {
      const v = h[k] ?? 0;
      if (!Number.isSafeInteger(v) || v < 0 || v > 0xfffff) throw invalidHeader(`${k} of ${name} is out of range`, offset);
    }
  }
}

/**
 * Read a tar stream entry by entry with back-pressure: the source is only pulled as the
 * consumer reads bodies. PAX ('x') and GNU long name/link ('L'/'K') records are folded
 * into the next header; global PAX headers ('g') are ignored, as Docker does.
 * Truncated or corrupt input throws InvalidArgumentError.
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const src = new ByteSource(source[Symbol.asyncIterator]());
  let pax: ReturnType<typeof parsePax> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let offset = 0;
  for (;;) {
    if (src.available < BLOCK && !(await src.ensure(BLOCK))) {
      if (src.available === 0) return; // EOF without end marker: accepted like Go's reader
      throw unexpectedEof();
    }
    const block = src.take(BLOCK);
    if (isZeroBlock(block)) {
      if (await src.ensure(BLOCK)) {
        if (!isZeroBlock(src.take(BLOCK))) throw new InvalidArgumentError('archive/tar: invalid tar header');
      }
      return;
    }
    const at = offset;
    offset += BLOCK;
    const h = decodeHeader(block);
    if (!h) throw invalidHeader('bad checksum', at);
    if (!Number.isSafeInteger(h.size) || h.size < 0) throw invalidHeader('size is not a non-negative octal or base-256 number', at);
    const { typeflag } = h;
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (h.size > MAX_META_SIZE) throw new InvalidArgumentError(`archive/tar: header field too long: a ${typeflag} record of ${h.size} bytes (at most ${MAX_META_SIZE}) at byte ${at}`);
      const data = await src.readExact(h.size);
      await src.skip(paddingFor(h.size));
      offset += h.size + paddingFor(h.size);
      if (typeflag === 'x') {
        pax = parsePax(data);
        if (!pax) throw invalidHeader('malformed PAX record', at);
      } else if (typeflag === 'L') longName = cString(data);
      else if (typeflag === 'K') longLink = cString(data);
      continue;
    }
    if (typeflag === 'S') throw new InvalidArgumentError(`unsupported sparse file entry "${h.name}"`);
    // Go's order: PAX records, then GNU long names over them; a legacy '\0' entry whose
    // final name ends with "/" is a directory, every other '0' or '7' a regular file
    if (pax) applyPax(h, pax, at);
    if (longName !== undefined) h.name = longName;
    if (longLink !== undefined) h.linkname = longLink;
    if (typeflag === '\0') h.type = h.name.endsWith('/') ? 'directory' : 'file';
    checkHeader(h, at);
    pax = undefined;
    longName = undefined;
    longLink = undefined;
    // only regular files carry data in the stream; others may state a size but have none (GNU) — Go honours size for all but links/dirs
    const dataSize = h.type === 'link' || h.type === 'symlink' || h.type === 'directory' || h.type === 'char' || h.type === 'block' || h.type === 'fifo' ? 0 : h.size;
    if (dataSize !== h.size) h.size = 0;
    let remaining = dataSize;
    let current = true;
    let started = false;
    const entry: TarEntry = {
      header: h,
      body: () => {
        if (started) throw new Error('tar entry body already read');
        started = true;
        return (async function* () {
          while (remaining > 0) {
            if (!current) throw new Error('tar entry body read after the next entry');
            if (src.available === 0 && !(await src.ensure(1))) throw unexpectedEof();
            const c = src.takeSome(remaining);
            remaining -= c.length;
            yield c;
          }
        })();
      },
    };
    yield entry;
    current = false;
    // skip what the consumer left and the padding: synchronously when it is buffered
    const rest = remaining + paddingFor(dataSize);
    if (!src.skipBuffered(rest)) await src.skip(rest);
    offset += dataSize + paddingFor(dataSize);
  }
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}

/** Go's strconv.ParseInt(v, 10, 64) for size, uid and gid; parsePAXTime's form for mtime. */
const PAX_INT = /^[+-]?[0-9]+$/;
const PAX_TIME = /^[+-]?[0-9]+(\.[0-9]*)?$/;

function applyPax(h: TarHeader, pax: NonNullable<ReturnType<typeof parsePax>>, at: number): void {
  const s = pax.strings;
  const num = (k: string, form: RegExp): number | undefined => {
    const v = s.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!form.test(v) || !Number.isFinite(n)) throw invalidHeader(`PAX ${k} ${JSON.stringify(v.slice(0, 40))} is not ${form === PAX_INT ? 'an integer' : 'a time in seconds'}`, at);
    return n;
  };
  for (const k of s.keys()) {
    if (k.startsWith('GNU.sparse.')) throw new InvalidArgumentError(`unsupported sparse file entry "${s.get('GNU.sparse.name') ?? s.get('path') ?? h.name}"`);
  }
  const path = s.get('path');
  if (path !== undefined) h.name = path;
  const link = s.get('linkpath');
  if (link !== undefined) h.linkname = link;
  h.size = num('size', PAX_INT) ?? h.size;
  h.uid = num('uid', PAX_INT) ?? h.uid;
  h.gid = num('gid', PAX_INT) ?? h.gid;
  h.mtime = num('mtime', PAX_TIME) ?? h.mtime;
  const uname = s.get('uname');
  if (uname !== undefined) h.uname = uname;
  const gname = s.get('gname');
  if (gname !== undefined) h.gname = gname;
  if (pax.xattrs.size > 0) h.xattrs = pax.xattrs;
}
