import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { exec } from '../host/index.js';
import { writeTar, type TarHeader, type TarWriteEntry } from '../image/archive/index.js';
import { dockerArchive } from './archive.js';

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;

const GROUP = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
`;

const DIRS: Array<[string, number]> = [
  ['bin/', 0o755], ['dev/', 0o755], ['etc/', 0o755], ['home/', 0o755], ['proc/', 0o755], ['root/', 0o700],
  ['sbin/', 0o755], ['sys/', 0o755], ['tmp/', 0o1777], ['usr/', 0o755], ['usr/bin/', 0o755], ['usr/sbin/', 0o755],
  ['var/', 0o755], ['var/spool/', 0o755], ['var/spool/mail/', 0o755], ['var/www/', 0o755],
];

/**
 * The layer tar of a minimal busybox root filesystem: /bin/busybox, every applet as a
 * hardlink to it, /etc/passwd and /etc/group, the usual empty directories. Fixed
 * owners, sorted entries and the binary's own mtime make it byte-for-byte reproducible.
 */
export async function busyboxRootfsTar(busybox = '/usr/bin/busybox'): Promise<{ tar: TarWriteEntry[]; mtime: number; version: string }> {
  const st = await stat(busybox);
  const mtime = Math.floor(st.mtimeMs / 1000);
  const list = (await exec(busybox, ['--list-full'])).stdout.split('\n').map((l) => l.trim()).filter((l) => l && l !== 'linuxrc' && !l.startsWith('/'));
  const version = (await exec(busybox, [], { allowFailure: true })).stdout.split('\n')[0]?.trim() ?? 'BusyBox';
  const h = (name: string, over: Partial<TarHeader>): TarHeader => ({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime, linkname: '', ...over });
  const entries: TarWriteEntry[] = DIRS.map(([name, mode]) => ({ header: h(name, { type: 'directory', mode }) }));
  entries.push({ header: h('bin/busybox', { mode: 0o755, size: st.size }), body: busybox });
  for (const applet of [...new Set(list)].sort()) {
    if (applet === 'bin/busybox') continue;
    // A hardlink entry carries its target's mode: extractors (Docker's among them) chmod the shared inode to it.
    entries.push({ header: h(applet, { type: 'link', linkname: 'bin/busybox', mode: 0o755 }) });
  }
  for (const [name, content] of [['etc/group', GROUP], ['etc/passwd', PASSWD]] as const) {
    entries.push({ header: h(name, { size: Buffer.byteLength(content) }), body: Buffer.from(content) });
  }
  return { tar: entries, mtime, version };
}

/** A docker-archive of the busybox image built from the host's static busybox; same binary, same image ID. */
export async function busyboxArchive(opts: { tag?: string; busybox?: string; signal?: AbortSignal } = {}): Promise<{ stream: Readable; done: () => Promise<void> }> {
  const { tar, mtime, version } = await busyboxRootfsTar(opts.busybox);
  return dockerArchive({
    layer: writeTar(tar, opts.signal ? { signal: opts.signal } : {}),
    config: { Env: [PATH_ENV], Cmd: ['sh'] },
    created: new Date(mtime * 1000).toISOString(),
    createdBy: `berth image mkimage busybox: ${version}`,
    repoTag: opts.tag ?? 'busybox:latest',
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
