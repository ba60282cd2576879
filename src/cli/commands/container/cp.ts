import { lstatSync, statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { pipeline, Transform, type Readable } from 'node:stream';
import {
  containerStatPath, copyFromContainer, copyToContainer, goModeIsDir, goModeIsRegular, goModeIsSymlink, type EngineClient,
} from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { humanSize4 } from '../../formatter/text.js';
import { copyToStdout } from '../save-to.js';

export function flags(fs: FlagSet) {
  return {
    archive: fs.bool('archive', 'a', false, 'Archive mode (copy all uid/gid information)'),
    followLink: fs.bool('follow-link', 'L', false, 'Always follow symbol link in SRC_PATH'),
    quiet: fs.bool('quiet', 'q', false, 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached'),
  };
}

interface CopyConfig { followLink: boolean; copyUIDGID: boolean; quiet: boolean; container: string }

/** docker's splitCpArg: CONTAINER:PATH, or a local path (absolute, or with no ":" before a "."-led name). */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** An absolute local path keeping a trailing "/" or "/." (docker's resolveLocalPath). */
function resolveLocalPath(p: string): string {
  const abs = resolve(p);
  if (p.endsWith('/.') || p === '.') return abs === '/' ? '/.' : `${abs}/.`;
  if (p.endsWith('/') && abs !== '/') return `${abs}/`;
  return abs;
}

export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const [srcArg, dstArg] = args as [string, string];
  if (srcArg === '') throw new Error('source can not be empty');
  if (dstArg === '') throw new Error('destination can not be empty');
  const src = splitCpArg(srcArg);
  const dst = splitCpArg(dstArg);
  const base = { followLink: o.followLink.get, copyUIDGID: o.archive.get, quiet: o.quiet.get || !cli.err.isTTY };
  if (src.container && dst.container) throw new Error('copying between containers is not supported');
  if (!src.container && !dst.container) throw new Error('must specify at least one container source');
  const client = await cli.client();
  if (src.container) await fromContainer(cli, client, src.path, dst.path, { ...base, container: src.container });
  else await toContainer(cli, client, src.path, dst.path, { ...base, container: dst.container });
}

/** Counts what passes, for "Successfully copied". */
function counter(): Transform & { total: number } {
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) { t.total += chunk.length; cb(null, chunk); },
  }) as Transform & { total: number };
  t.total = 0;
  return t;
}

async function fromContainer(cli: Cli, client: EngineClient, srcPath: string, dstArg: string, c: CopyConfig): Promise<void> {
  const lc = await import('../../../localcopy/index.js');
  let dstPath = dstArg;
  if (dstPath !== '-') {
    dstPath = resolveLocalPath(dstPath);
    const parent = lc.splitPathDirEntry(dstPath).dir;
    try {
      statSync(parent);
    } catch {
      throw new Error(`invalid output path: directory "${parent}" does not exist`);
    }
  }
  let path = srcPath;
  let rebaseName = '';
  if (c.followLink) {
    const st = await containerStatPath(client, c.container, path).catch(() => undefined);
    if (st && goModeIsSymlink(st.mode)) {
      let target = st.linkTarget;
      if (!target.startsWith('/')) target = posix.join(lc.splitPathDirEntry(path).dir, target);
      ({ resolved: path, rebaseName } = lc.getRebaseName(path, target));
    }
  }
  const { stat, content } = await copyFromContainer(client, c.container, path);
  if (dstPath === '-') {
    await copyToStdout(cli, content);
    return;
  }
  const srcInfo = { path, exists: true, isDir: goModeIsDir(stat.mode), rebaseName };
  const count = counter();
  let archive: Readable = pipeline(content, count, () => {});
  if (rebaseName) archive = lc.rebaseTar(archive, lc.splitPathDirEntry(path).base, rebaseName);
  const dstInfo = lc.copyInfoDestinationPath(dstPath);
  const prepared = lc.prepareArchiveCopy(archive, srcInfo, dstInfo);
  await lc.untarTo(prepared.content, prepared.dstDir, { keepOwners: c.copyUIDGID });
  if (!c.quiet) cli.printErr(`Successfully copied ${humanSize4(count.total)} to ${dstArg}\n`);
}

async function toContainer(cli: Cli, client: EngineClient, srcArg: string, dstPath: string, c: CopyConfig): Promise<void> {
  const lc = await import('../../../localcopy/index.js');
  const srcPath = srcArg === '-' ? '-' : resolveLocalPath(srcArg);
  const dstInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  let stat = await containerStatPath(client, c.container, dstPath).catch(() => undefined);
  if (stat && goModeIsSymlink(stat.mode)) {
    let target = stat.linkTarget;
    if (!target.startsWith('/')) target = posix.join(lc.splitPathDirEntry(dstPath).dir, target);
    dstInfo.path = target;
    stat = await containerStatPath(client, c.container, target).catch(() => undefined);
  }
  if (stat) {
    if (!goModeIsDir(stat.mode) && !goModeIsRegular(stat.mode)) {
      throw new Error(`destination "${c.container}:${dstPath}" must be a directory or a regular file: got ${Math.floor(stat.mode / 2 ** 26) % 2 ? 'a device' : 'an irregular file'}`);
    }
    dstInfo.exists = true;
    dstInfo.isDir = goModeIsDir(stat.mode);
  }
  let content: Readable;
  let target: string;
  if (srcPath === '-') {
    if (!dstInfo.isDir) throw new Error(`destination "${c.container}:${dstPath}" must be a directory`);
    content = cli.in as unknown as Readable;
    target = dstInfo.path;
  } else {
    try {
      lstatSync(srcPath.replace(/\/\.?$/, '') || '/');
    } catch {
      throw new Error(`lstat ${srcPath.replace(/\/\.?$/, '')}: no such file or directory`);
    }
    const srcInfo = lc.copyInfoSourcePath(srcPath, c.followLink);
    const prepared = lc.prepareArchiveCopy(lc.tarResource(srcInfo), srcInfo, dstInfo);
    content = prepared.content;
    target = prepared.dstDir;
  }
  const count = counter();
  await copyToContainer(client, c.container, target, pipeline(content, count, () => {}), { copyUIDGID: c.copyUIDGID });
  if (!c.quiet) cli.printErr(`Successfully copied ${humanSize4(count.total)} to ${c.container}:${dstPath}\n`);
}
