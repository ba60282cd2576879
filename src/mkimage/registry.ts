import { realpath, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../base/index.js';
import { exec } from '../host/index.js';
import { writeTar, type TarHeader, type TarWriteEntry } from '../image/archive/index.js';
import { dockerArchive } from './archive.js';

const NODE_PATH = '/usr/local/bin/node';
const BUNDLE_DIR = '/usr/lib/berth';
const CONFIG_PATH = '/etc/docker/registry/config.yml';

/** The registry image's config.yml, as the reference registry image ships it (delete off, port 5000). */
export const REGISTRY_IMAGE_CONFIG = `version: 0.1
log:
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
`;

const ENTRY = `// The registry image's entrypoint: berth's registry program, bundled below this file.
import { registryMain } from './bundle/berth-registry.mjs';
process.exitCode = await registryMain(process.argv.slice(2));
`;

/** The shared libraries (and the loader) a dynamically linked binary needs, from ldd; none for a static one. */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const r = await exec('ldd', [binary], { allowFailure: true });
  if (r.code !== 0) return [];
  const libs: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.push(m[1]!);
  }
  return [...new Set(libs)];
}

/**
 * A docker-archive of the `registry` image: this machine's node binary and the libraries it
 * links, berth's bundled registry program and, where it was built, the addon beside it (it writes
 * the blobs, docs/decisions/0019), and the reference registry image's configuration, so
 * that `run -d -p 5000:5000 registry` serves as Docker's does (docs/commands.md).
 */
export async function registryArchive(opts: { bundle: string; node?: string; tag?: string; signal?: AbortSignal }): Promise<{ stream: Readable; done: () => Promise<void> }> {
  const node = await realpath(opts.node ?? process.execPath);
  const bundleStat = await stat(opts.bundle).catch(() => undefined);
  if (!bundleStat?.isFile()) throw new InvalidArgumentError(`Cannot build the registry image: no registry bundle at "${opts.bundle}" (run npm run build)`);
  const nodeStat = await stat(node);
  const mtime = Math.floor(Math.max(bundleStat.mtimeMs, nodeStat.mtimeMs) / 1000);
  const h = (name: string, over: Partial<TarHeader>): TarHeader => ({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime, linkname: '', ...over });
  const files = new Map<string, TarWriteEntry>();
  const dirs = new Map<string, number>([['tmp/', 0o1777], ['var/lib/registry/', 0o755], ['root/', 0o700]]);
  const addFile = async (path: string, source: string | Buffer, mode: number): Promise<void> => {
    const name = path.replace(/^\/+/, '');
    for (let d = posix.dirname(name); d !== '.'; d = posix.dirname(d)) if (!dirs.has(`${d}/`)) dirs.set(`${d}/`, 0o755);
    const size = typeof source === 'string' ? (await stat(source)).size : source.length;
    files.set(name, { header: h(name, { mode, size }), body: typeof source === 'string' ? source : source });
  };
  await addFile(NODE_PATH, node, 0o755);
  for (const lib of await sharedLibraries(node)) await addFile(lib, await realpath(lib), 0o755);
  // bundle/ and native/ side by side, as in dist/, where the bundle looks for the addon (src/host/native.ts).
  await addFile(`${BUNDLE_DIR}/bundle/berth-registry.mjs`, opts.bundle, 0o644);
  const addon = join(dirname(opts.bundle), '../native/berth-host.node');
  if ((await stat(addon).catch(() => undefined))?.isFile()) {
    await addFile(`${BUNDLE_DIR}/native/berth-host.node`, addon, 0o755);
    for (const lib of await sharedLibraries(addon)) await addFile(lib, await realpath(lib), 0o755);
  }
  await addFile(`${BUNDLE_DIR}/registry.mjs`, Buffer.from(ENTRY), 0o644);
  await addFile(CONFIG_PATH, Buffer.from(REGISTRY_IMAGE_CONFIG), 0o644);
  await addFile('/etc/passwd', Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n'), 0o644);
  await addFile('/etc/group', Buffer.from('root:x:0:\nnogroup:x:65534:\n'), 0o644);
  const entries: TarWriteEntry[] = [...dirs].sort(([a], [b]) => a.localeCompare(b)).map(([name, mode]) => ({ header: h(name, { type: 'directory', mode }) }));
  entries.push(...[...files.keys()].sort().map((k) => files.get(k)!));
  const version = (await exec(node, ['--version'], { allowFailure: true })).stdout.trim();
  return dockerArchive({
    layer: writeTar(entries, opts.signal ? { signal: opts.signal } : {}),
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Entrypoint: [NODE_PATH, `${BUNDLE_DIR}/registry.mjs`],
      Cmd: ['serve', CONFIG_PATH],
      ExposedPorts: { '5000/tcp': {} },
      Volumes: { '/var/lib/registry': {} },
    },
    created: new Date(mtime * 1000).toISOString(),
    createdBy: `berth image mkimage registry: node ${version}`,
    repoTag: opts.tag ?? 'registry:latest',
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
