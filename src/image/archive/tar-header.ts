/*
 * The tar header model shared by the reader and writer: ustar blocks with PAX
 * extended records (long names, big ids and sizes, SCHILY.xattr.* with binary
 * values kept as bytes) and GNU long names on input.
 */

export type TarEntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo' | 'other';

export interface TarHeader {
  /** Entry path as stored (no leading "./" normalisation here). */
  name: string;
  type: TarEntryType;
  /** The raw typeflag character, for 'other'. */
  typeflag?: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch; may be fractional (PAX mtime). */
  mtime: number;
  linkname: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  /** Extended attributes from SCHILY.xattr.* records. */
  xattrs?: Map<string, Buffer>;
}

export const BLOCK = 512;
export const ZERO_BLOCK = Buffer.alloc(BLOCK);

const TYPE_TO_FLAG: Record<TarEntryType, string> = {
  file: '0', link: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6', other: '0',
};

export function typeFromFlag(flag: string, name: string): TarEntryType {
  switch (flag) {
    case '\0': return name.endsWith('/') ? 'directory' : 'file'; // legacy: the name says (Go's TypeRegA)
    case '0': case '7': return 'file';
    case '1': return 'link';
    case '2': return 'symlink';
    case '3': return 'char';
    case '4': return 'block';
    case '5': return 'directory';
    case '6': return 'fifo';
    default: return 'other';
  }
}

export function paddingFor(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}

function readString(b: Buffer, off: number, len: number): string {
  const field = b.subarray(off, off + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

/** Octal ASCII or GNU base-256 numbers. */
export function readNumber(b: Buffer, off: number, len: number): number {
  const first = b[off]!;
  if (first & 0x80) {
    // base-256, two's complement; the first byte's top bit is the marker
    let v = first & 0x7f;
    const negative = (first & 0x40) !== 0;
    if (negative) v = first ^ 0xff;
    for (let i = 1; i < len; i++) v = v * 256 + (negative ? b[off + i]! ^ 0xff : b[off + i]!);
    // Go refuses what needs more than 63 bits; past 2^53 a Number is no longer exact
    if (v > Number.MAX_SAFE_INTEGER) return NaN;
    return negative ? -(v + 1) : v;
  }
  // Go's parseOctal: spaces and NULs trimmed at both ends, then octal digits only
  let start = off;
  let end = off + len;
  while (start < end && (b[start] === 0x20 || b[start] === 0)) start++;
  while (end > start && (b[end - 1] === 0x20 || b[end - 1] === 0)) end--;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 7) return NaN;
    v = v * 8 + c;
  }
  return v;
}

function checksums(b: Buffer): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : b[i]!;
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  return { unsigned, signed };
}

export function isZeroBlock(b: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Decode one 512-byte header block. Returns undefined when the checksum is wrong; numeric
 * fields that are not octal (or base-256 past 2^53) come back as NaN for the reader to refuse.
 */
export function decodeHeader(b: Buffer): (TarHeader & { typeflag: string }) | undefined {
  const stored = readNumber(b, 148, 8);
  const sums = checksums(b);
  if (stored !== sums.unsigned && stored !== sums.signed) return undefined;
  const typeflag = String.fromCharCode(b[156]!);
  let name = readString(b, 0, 100);
  const magic = b.subarray(257, 263).toString('latin1');
  const version = b.subarray(263, 265).toString('latin1');
  const isGnu = magic === 'ustar ' && version === ' \0';
  if (magic === 'ustar\0' && !isGnu) {
    const prefix = readString(b, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const h: TarHeader & { typeflag: string } = {
    name,
    typeflag,
    type: typeFromFlag(typeflag, name),
    mode: readNumber(b, 100, 8),
    uid: readNumber(b, 108, 8),
    gid: readNumber(b, 116, 8),
    size: readNumber(b, 124, 12),
    mtime: readNumber(b, 136, 12),
    linkname: readString(b, 157, 100),
  };
  if (magic.startsWith('ustar')) {
    h.uname = readString(b, 265, 32);
    h.gname = readString(b, 297, 32);
    h.devmajor = readNumber(b, 329, 8);
    h.devminor = readNumber(b, 337, 8);
  }
  return h;
}

export interface PaxRecords {
  strings: Map<string, string>;
  xattrs: Map<string, Buffer>;
}

/**
 * Parse "<len> key=value\n" records as Go's archive/tar does (undefined for what it refuses:
 * a bad length, no "=", an empty key, a NUL in a key or in a path or name); values of
 * SCHILY.xattr.* stay bytes.
 */
export function parsePax(buf: Buffer): PaxRecords | undefined {
  const strings = new Map<string, string>();
  const xattrs = new Map<string, Buffer>();
  let off = 0;
  while (off < buf.length) {
    if (buf[off] === 0) break;
    const sp = buf.indexOf(0x20, off);
    if (sp < 0) return undefined;
    const digits = buf.subarray(off, sp).toString('latin1');
    if (!/^[0-9]{1,9}$/.test(digits)) return undefined;
    const len = Number(digits);
    if (len < 5 || len <= sp - off || off + len > buf.length || buf[off + len - 1] !== 0x0a) return undefined;
    const rec = buf.subarray(sp + 1, off + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) return undefined;
    const keyBytes = rec.subarray(0, eq);
    if (keyBytes.includes(0)) return undefined;
    const key = keyBytes.toString('utf8');
    const value = rec.subarray(eq + 1);
    if ((key === 'path' || key === 'linkpath' || key === 'uname' || key === 'gname') && value.includes(0)) return undefined;
    if (key.startsWith('SCHILY.xattr.')) xattrs.set(key.slice('SCHILY.xattr.'.length), Buffer.from(value));
    else strings.set(key, value.toString('utf8'));
    off += len;
  }
  return { strings, xattrs };
}

function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), typeof value === 'string' ? Buffer.from(value, 'utf8') : value, Buffer.from('\n')]);
  // the length prefix counts its own digits
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body]);
}

function writeString(b: Buffer, s: string, off: number, len: number): void {
  b.write(s, off, len, 'utf8');
}

function writeOctal(b: Buffer, n: number, off: number, len: number): void {
  b.write(Math.floor(n).toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

const ASCII_RE = /^[\x00-\x7f]*$/;

/** Split a long name into ustar prefix/name, or undefined when it does not fit. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i >= 0 && i <= 155; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (rest.length > 0 && Buffer.byteLength(rest) <= 100 && Buffer.byteLength(prefix) <= 155) return { prefix, name: rest };
  }
  return undefined;
}

function ustarBlock(h: TarHeader, name: string, prefix: string, typeflag: string, size: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  writeString(b, name, 0, 100);
  writeOctal(b, h.mode & 0o7777, 100, 8);
  writeOctal(b, h.uid <= 0o7777777 ? h.uid : 0, 108, 8);
  writeOctal(b, h.gid <= 0o7777777 ? h.gid : 0, 116, 8);
  writeOctal(b, size <= 0o77777777777 ? size : 0, 124, 12);
  writeOctal(b, h.mtime >= 0 && h.mtime <= 0o77777777777 ? h.mtime : 0, 136, 12);
  b.write(typeflag, 156, 1, 'latin1');
  writeString(b, h.linkname.length <= 100 && Buffer.byteLength(h.linkname) <= 100 ? h.linkname : '', 157, 100);
  b.write('ustar\x0000', 257, 8, 'latin1');
  writeString(b, h.uname ?? '', 265, 32);
  writeString(b, h.gname ?? '', 297, 32);
  writeOctal(b, h.devmajor ?? 0, 329, 8);
  writeOctal(b, h.devminor ?? 0, 337, 8);
  writeString(b, prefix, 345, 155);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i]!;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

/**
 * Encode a header as ustar, preceded by a PAX extended header when something does not
 * fit ustar (long or non-ASCII names, big numbers, xattrs), as Go's archive/tar does.
 */
export function encodeHeader(h: TarHeader): Buffer {
  const typeflag = h.type === 'other' ? (h.typeflag ?? '0') : TYPE_TO_FLAG[h.type];
  const size = h.type === 'file' ? h.size : 0;
  const records: Buffer[] = [];
  let split = ASCII_RE.test(h.name) ? splitUstarName(h.name) : undefined;
  if (!split) {
    records.push(paxRecord('path', h.name));
    split = { prefix: '', name: Buffer.from(h.name, 'utf8').subarray(0, 100).toString('latin1').replace(/[^\x20-\x7e]/g, '_') };
  }
  if (Buffer.byteLength(h.linkname) > 100 || !ASCII_RE.test(h.linkname)) records.push(paxRecord('linkpath', h.linkname));
  if (size > 0o77777777777) records.push(paxRecord('size', String(size)));
  if (h.uid > 0o7777777) records.push(paxRecord('uid', String(h.uid)));
  if (h.gid > 0o7777777) records.push(paxRecord('gid', String(h.gid)));
  if (h.mtime < 0 || h.mtime > 0o77777777777) records.push(paxRecord('mtime', String(h.mtime)));
  if (h.uname && (Buffer.byteLength(h.uname) > 32 || !ASCII_RE.test(h.uname))) records.push(paxRecord('uname', h.uname));
  if (h.gname && (Buffer.byteLength(h.gname) > 32 || !ASCII_RE.test(h.gname))) records.push(paxRecord('gname', h.gname));
  if (h.xattrs) {
    for (const [k, v] of [...h.xattrs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) records.push(paxRecord(`SCHILY.xattr.${k}`, v));
  }
  const main = ustarBlock(h, split.name, split.prefix, typeflag, size);
  if (records.length === 0) return main;
  const body = Buffer.concat(records);
  const base = h.name.replace(/\/+$/, '').split('/').pop() ?? '';
  const paxName = `PaxHeaders.0/${base}`.slice(0, 100).replace(/[^\x20-\x7e]/g, '_');
  const paxHdr = ustarBlock({ ...h, mtime: Math.max(0, Math.floor(h.mtime)), linkname: '', uname: '', gname: '', xattrs: undefined }, paxName, '', 'x', body.length);
  return Buffer.concat([paxHdr, body, Buffer.alloc(paddingFor(body.length)), main]);
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);
