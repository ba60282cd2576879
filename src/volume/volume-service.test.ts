import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger, type EngineEvent } from '../base/index.js';
import { LABEL_ANONYMOUS_VOLUME, VolumeService, validateVolumeName } from './index.js';

const root = process.getuid?.() === 0;

async function open(users: Record<string, string[]> = {}): Promise<{ svc: VolumeService; dir: string; events: EngineEvent[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-vol-'));
  const events: EngineEvent[] = [];
  const svc = await VolumeService.open({ root: dir, log: silentLogger, events: { publish: (e) => events.push(e) }, usersOf: (n) => users[n] ?? [] });
  return { svc, dir, events };
}

test('validateVolumeName() takes Docker\'s names and refuses paths, slashes and single characters', () => {
  for (const ok of ['my-vol', 'a1', 'x.y_z-0', 'A'.repeat(64)]) validateVolumeName(ok);
  for (const bad of ['../x', 'a/b', 'x', '.hidden', '-x', '', 'a b', 'é1']) {
    assert.throws(() => validateVolumeName(bad), /includes invalid characters for a local volume name/, bad);
  }
});

test('create() makes the data directory and an atomic record, returns an existing volume, publishes create', async () => {
  const { svc, dir, events } = await open();
  const v = await svc.create({ name: 'db', labels: { a: 'b' }, driverOpts: {} });
  assert.equal(v.mountpoint, join(dir, 'volumes', 'db', '_data'));
  assert.ok(statSync(v.mountpoint).isDirectory());
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'volumes', 'db', 'volume.json'), 'utf8')).labels, { a: 'b' });
  assert.deepEqual((await svc.create({ name: 'db' })).createdAt, v.createdAt);
  assert.deepEqual(events.map((e) => [e.action, e.actor.id, e.actor.attributes.driver]), [['create', 'db', 'local']]);
  const anon = await svc.create({ anonymous: true });
  assert.match(anon.name, /^[0-9a-f]{64}$/);
  assert.deepEqual(anon.labels, { [LABEL_ANONYMOUS_VOLUME]: '' });
  await assert.rejects(svc.create({ name: 'xx', driver: 'nfs' }), /error looking up volume plugin nfs: plugin "nfs" not found/);
  await assert.rejects(svc.create({ name: 'o1', driverOpts: { bogus: '1' } }), /invalid option key: "bogus"/);
  assert.equal(existsSync(join(dir, 'volumes', 'o1')), false);
  rmSync(dir, { recursive: true, force: true });
});

test('list() filters by dangling, driver, label and name; remove() refuses a volume in use', async () => {
  const { svc, dir, events } = await open({ used: ['c1'] });
  await svc.create({ name: 'used', labels: { tier: 'db' } });
  await svc.create({ name: 'free' });
  const names = (f: Record<string, string[]>): string[] => svc.list(new Map(Object.entries(f).map(([k, v]) => [k, new Set(v)]))).map((v) => v.name).sort();
  assert.deepEqual(names({}), ['free', 'used']);
  assert.deepEqual(names({ dangling: ['true'] }), ['free']);
  assert.deepEqual(names({ dangling: ['false'] }), ['used']);
  assert.deepEqual(names({ label: ['tier=db'] }), ['used']);
  assert.deepEqual(names({ name: ['fr'] }), ['free']);
  assert.deepEqual(names({ driver: ['local'] }), ['free', 'used']);
  assert.throws(() => names({ dangling: ['maybe'] }), /invalid filter 'dangling=maybe'/);
  await assert.rejects(svc.remove('used'), /^ConflictError: remove used: volume is in use - \[c1\]$/);
  await assert.rejects(svc.remove('used', { force: true }), /volume is in use/);
  await assert.rejects(svc.remove('nosuch'), /get nosuch: no such volume/);
  await svc.remove('nosuch', { force: true });
  await svc.remove('free');
  assert.equal(existsSync(join(dir, 'volumes', 'free')), false);
  assert.deepEqual(events.map((e) => e.action), ['create', 'create', 'destroy']);
  rmSync(dir, { recursive: true, force: true });
});

test('prune() takes unused anonymous volumes, all unused ones with all=true, and reports the bytes', async () => {
  const { svc, dir } = await open();
  const anon = await svc.create({ anonymous: true });
  writeFileSync(join(anon.mountpoint, 'f'), 'x'.repeat(100));
  await svc.create({ name: 'named' });
  const first = await svc.prune(new Map());
  assert.deepEqual(first, { deleted: [anon.name], spaceReclaimed: 100 });
  assert.deepEqual((await svc.prune(new Map(), { anonymousOnly: false })).deleted, ['named']);
  rmSync(dir, { recursive: true, force: true });
});

test('open() sweeps a create and a copy-up that a crash cut short, and keeps whole volumes', async () => {
  const { svc, dir } = await open();
  await svc.create({ name: 'whole' });
  writeFileSync(join(dir, 'volumes', 'whole', '_data', 'f'), 'kept');
  mkdirSync(join(dir, 'volumes', 'whole', '_copyup', 'half'), { recursive: true });
  mkdirSync(join(dir, 'volumes', 'nodoc', '_data'), { recursive: true });
  const again = await VolumeService.open({ root: dir, log: silentLogger });
  assert.deepEqual(again.list().map((v) => v.name), ['whole']);
  assert.deepEqual(readdirSync(join(dir, 'volumes')), ['whole']);
  assert.deepEqual(readdirSync(join(dir, 'volumes', 'whole')).sort(), ['_data', 'volume.json']);
  assert.equal((await again.usage())[0]!.size, 4);
  rmSync(dir, { recursive: true, force: true });
});

test('copyUp() fills an empty volume with the image directory\'s entries, owners, modes and links; never a full one', { skip: !root && 'needs root' }, async () => {
  const { svc, dir } = await open();
  const rootfs = join(dir, 'rootfs');
  const img = join(rootfs, 'srv', 'app');
  mkdirSync(join(img, 'sub'), { recursive: true });
  writeFileSync(join(img, 'conf'), 'c=1\n');
  chownSync(join(img, 'conf'), 1000, 2000);
  chmodSync(join(img, 'conf'), 0o640);
  linkSync(join(img, 'conf'), join(img, 'sub', 'hard'));
  symlinkSync('../conf', join(img, 'sub', 'soft'));
  chmodSync(join(img, 'sub'), 0o1777);
  chownSync(img, 7, 8);
  const v = await svc.create({ name: 'app' });
  assert.equal(await svc.copyUp('app', { rootfs, path: '/srv//app/' }), true);
  const data = v.mountpoint;
  assert.equal(readFileSync(join(data, 'conf'), 'utf8'), 'c=1\n');
  const st = lstatSync(join(data, 'conf'));
  assert.deepEqual([st.uid, st.gid, st.mode & 0o7777, st.nlink], [1000, 2000, 0o640, 2]);
  assert.equal(lstatSync(join(data, 'sub', 'hard')).ino, st.ino);
  assert.equal(readlinkSync(join(data, 'sub', 'soft')), '../conf');
  assert.equal(statSync(join(data, 'sub')).mode & 0o7777, 0o1777);
  assert.deepEqual([statSync(data).uid, statSync(data).gid], [7, 8]);
  assert.equal(existsSync(join(dir, 'volumes', 'app', '_copyup')), false);
  writeFileSync(join(img, 'later'), '');
  assert.equal(await svc.copyUp('app', { rootfs, path: '/srv/app' }), false, 'a volume with content is left alone');
  assert.equal(existsSync(join(data, 'later')), false);
  const other = await svc.create({ name: 'other' });
  assert.equal(await svc.copyUp('other', { rootfs, path: '/nosuch' }), false);
  symlinkSync('/etc', join(rootfs, 'escape'));
  assert.equal(await svc.copyUp('other', { rootfs, path: '/escape' }), false, 'a symlink in the image path never leads the copy out');
  assert.deepEqual(readdirSync(other.mountpoint), []);
  rmSync(dir, { recursive: true, force: true });
});
