import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveUser } from './user.js';
import { Worker } from 'node:worker_threads';

let dir = '';
let rootfs = '';
let evil = '';
let noEtc = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-user-'));
  rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await writeFile(join(rootfs, 'etc/passwd'), [
    'root:x:0:0:root:/root:/bin/sh',
    'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    'app:x:1000:1000::/home/app:/bin/sh',
    '',
  ].join('\n'));
  await writeFile(join(rootfs, 'etc/group'), [
    '# comment line',
    'root:x:0:',
    'wheel:x:10:root,app',
    'audio:x:29:app',
    'nogroup:x:65534:',
    'app:x:1000:',
  ].join('\n'));

  // A rootfs whose /etc/passwd is an absolute symlink to a host file outside it.
  evil = join(dir, 'evil');
  await mkdir(join(evil, 'etc'), { recursive: true });
  const hostFile = join(dir, 'host-passwd');
  await writeFile(hostFile, 'hostonly:x:4242:4242::/:/bin/sh\n');
  await symlink(hostFile, join(evil, 'etc/passwd'));
  await symlink(`../../../../../../..${hostFile}`, join(evil, 'etc/group'));

  noEtc = join(dir, 'empty');
  await mkdir(noEtc);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const table: Array<[string, { uid: number; gid: number; additionalGids: number[]; home: string }]> = [
  ['', { uid: 0, gid: 0, additionalGids: [10], home: '/root' }],
  ['root', { uid: 0, gid: 0, additionalGids: [10], home: '/root' }],
  ['app', { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' }],
  ['1000', { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' }],
  ['nobody', { uid: 65534, gid: 65534, additionalGids: [], home: '/nonexistent' }],
  ['app:audio', { uid: 1000, gid: 29, additionalGids: [], home: '/home/app' }],
  ['1000:10', { uid: 1000, gid: 10, additionalGids: [], home: '/home/app' }],
  ['4321', { uid: 4321, gid: 0, additionalGids: [], home: '/' }],
  ['4321:555', { uid: 4321, gid: 555, additionalGids: [], home: '/' }],
  ['daemon:0', { uid: 1, gid: 0, additionalGids: [], home: '/usr/sbin' }],
];

for (const [spec, want] of table) {
  test(`resolveUser() resolves "${spec}"`, async () => {
    assert.deepEqual(await resolveUser(rootfs, spec), want);
  });
}

test('resolveUser() refuses an unknown user name with Docker text', async () => {
  await assert.rejects(resolveUser(rootfs, 'nobody2'), { message: 'unable to find user nobody2: no matching entries in passwd file' });
});

test('resolveUser() refuses an unknown group name with Docker text', async () => {
  await assert.rejects(resolveUser(rootfs, 'app:nogroup2'), { message: 'unable to find group nogroup2: no matching entries in group file' });
});

test('resolveUser() refuses ids out of range', async () => {
  await assert.rejects(resolveUser(rootfs, '4294967296'), { message: 'uids and gids must be in range 0-2147483647' });
});

test('resolveUser() never follows a symlinked /etc/passwd outside the rootfs', async () => {
  await assert.rejects(resolveUser(evil, 'hostonly'), { message: 'unable to find user hostonly: no matching entries in passwd file' });
  assert.deepEqual(await resolveUser(evil, '5:5'), { uid: 5, gid: 5, additionalGids: [], home: '/' });
});

test('resolveUser() without /etc/passwd accepts numeric ids only', async () => {
  assert.deepEqual(await resolveUser(noEtc, ''), { uid: 0, gid: 0, additionalGids: [], home: '/' });
  assert.deepEqual(await resolveUser(noEtc, '7'), { uid: 7, gid: 0, additionalGids: [], home: '/' });
  await assert.rejects(resolveUser(noEtc, 'root'), { message: 'unable to find user root: no matching entries in passwd file' });
});

// A worker swaps the rootfs's /etc between a directory and a symlink to a host directory whose
// passwd names "hostonly", as a running container can, while the daemon looks the user up.
test('resolveUser() never reads a host passwd while the rootfs swaps /etc for a symlink', async () => {
  const racy = join(dir, 'racy');
  const host = join(dir, 'host-etc');
  await mkdir(join(racy, 'etc-dir'), { recursive: true });
  await mkdir(host);
  await writeFile(join(racy, 'etc-dir/passwd'), 'inside:x:7:7::/:/bin/sh\n');
  await writeFile(join(host, 'passwd'), 'hostonly:x:4242:4242::/:/bin/sh\n');
  await symlink(host, join(racy, 'etc-abs'));
  await symlink(`../../../../../../..${host}`, join(racy, 'etc-rel'));
  await rename(join(racy, 'etc-dir'), join(racy, 'etc'));
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(`
    const { renameSync } = require('node:fs');
    const { workerData: { dir, stop } } = require('node:worker_threads');
    const p = (n) => dir + '/' + n;
    for (let i = 0; Atomics.load(stop, 0) === 0; i++) {
      const link = i % 2 ? 'etc-abs' : 'etc-rel';
      renameSync(p('etc'), p('etc-dir'));
      renameSync(p(link), p('etc'));
      renameSync(p('etc'), p(link));
      renameSync(p('etc-dir'), p('etc'));
    }
  `, { eval: true, workerData: { dir: racy, stop } });
  const exited = new Promise((resolve) => worker.on('exit', resolve));
  let leaked = 0;
  let inside = 0;
  try {
    for (let i = 0; i < 2000; i++) {
      await resolveUser(racy, 'hostonly').then(() => leaked++, () => {});
      await resolveUser(racy, 'inside').then(() => inside++, () => {});
    }
  } finally {
    Atomics.store(stop, 0, 1);
    await exited;
  }
  assert.equal(leaked, 0, `${leaked} of 2000 lookups read the host's passwd`);
  assert.ok(inside > 0);
});
