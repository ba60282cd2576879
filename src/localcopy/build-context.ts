import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { walkTree, writeTar, type TarWriteEntry } from '../image/archive/index.js';
import { BUILD_SECRETS_DIR, canSkipDir, isIgnored, readIgnoreFile, type IgnorePattern } from '../oci/index.js';

/** What `berth build` sends: the context tar, and the Dockerfile's name inside it. */
export interface PackedContext { tar: Readable; dockerfile: string }

/**
 * A directory context as the docker CLI sends it: `.dockerignore` (or `<Dockerfile>.dockerignore`)
 * applied, the Dockerfile and the ignore file always sent, every file owned by 0:0. A Dockerfile
 * from outside the context (or from stdin) travels inside it as `.dockerfile.<random>`.
 */
export function packDirectory(dir: string, opts: { dockerfile?: string; dockerfileText?: Buffer; secrets?: ReadonlyMap<string, Buffer> }): PackedContext {
  const root = resolve(dir);
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new Error(`unable to prepare context: path "${dir}" not found`);
  }
  if (!st.isDirectory()) throw new Error(`unable to prepare context: context must be a directory: ${root}`);
  let dockerfile = 'Dockerfile';
  let extra: TarWriteEntry | undefined;
  if (opts.dockerfileText) {
    dockerfile = `.dockerfile.${randomBytes(10).toString('hex')}`;
    extra = fileEntry(dockerfile, opts.dockerfileText);
  } else if (opts.dockerfile) {
    const abs = isAbsolute(opts.dockerfile) ? opts.dockerfile : resolve(opts.dockerfile);
    const rel = relative(root, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      let text: Buffer;
      try {
        text = readFileSync(abs);
      } catch {
        throw new Error(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${abs}: no such file or directory`);
      }
      dockerfile = `.dockerfile.${randomBytes(10).toString('hex')}`;
      extra = fileEntry(dockerfile, text);
    } else dockerfile = rel;
  }
  const patterns = ignorePatterns(root, dockerfile);
  const kept = new Set([dockerfile, '.dockerignore']);
  const exclude = (rel: string, s: { mode: number }): boolean => {
    if (kept.has(rel)) return false;
    const isDir = (s.mode & 0o170000) === 0o040000;
    return isDir ? canSkipDir(patterns, rel) : isIgnored(patterns, rel);
  };
  async function* entries(): AsyncIterable<TarWriteEntry> {
    if (extra) yield extra;
    if (opts.secrets?.size) {
      yield { header: { name: `${BUILD_SECRETS_DIR}/`, type: 'directory', mode: 0o700, uid: 0, gid: 0, size: 0, mtime: 0, linkname: '' } };
      for (const [id, body] of opts.secrets) yield { ...fileEntry(`${BUILD_SECRETS_DIR}/${id}`, body), };
    }
    for await (const e of walkTree({ root, exclude })) {
      yield { ...e, header: { ...e.header, uid: 0, gid: 0, uname: undefined, gname: undefined } };
    }
  }
  return { tar: writeTar(entries()), dockerfile };
}

/** `berth build - < Dockerfile`: a context holding only that Dockerfile. */
export function packDockerfileOnly(text: Buffer): PackedContext {
  return { tar: writeTar([fileEntry('Dockerfile', text)]), dockerfile: 'Dockerfile' };
}

function ignorePatterns(root: string, dockerfile: string): IgnorePattern[] {
  for (const name of [`${dockerfile}.dockerignore`, '.dockerignore']) {
    let text: string;
    try {
      text = readFileSync(join(root, name), 'utf8');
    } catch {
      continue;
    }
    return readIgnoreFile(text);
  }
  return [];
}

function fileEntry(name: string, body: Buffer): TarWriteEntry {
  return { header: { name, type: 'file', mode: 0o600, uid: 0, gid: 0, size: body.length, mtime: Math.floor(Date.now() / 1000), linkname: '' }, body };
}

/** Whether bytes start a tar (plain or compressed) rather than a Dockerfile's text. */
export function looksLikeArchive(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return true;
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

