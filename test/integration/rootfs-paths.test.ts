import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dir, file, symlinkEntry, tarBuffer } from '../../src/image/archive/tar-fixtures.js';
import { isRoot, startDaemon, type RunResult, type TestDaemon } from './harness.js';

/*
 * Images whose /etc/passwd and /etc/group are symlinks that climb out of the rootfs ("../../..",
 * absolute paths, /proc/1/root) towards a host directory whose passwd names the user asked for.
 * The lookup of `-u someuser` at start resolves them inside the rootfs, as Docker does, so the
 * host's files are never read: the user is found only where the rootfs itself holds it.
 */
describe('--user looks /etc/passwd up inside the rootfs', { skip: !isRoot() && 'needs root' }, () => {
  let d: TestDaemon;
  let host = '';
  const climb = '../../../../../../../../../..';
  before(async () => {
    d = await startDaemon();
    host = join(d.dir, 'host-etc');
    await mkdir(host);
    await writeFile(join(host, 'passwd'), 'someuser:x:4242:4242::/:/bin/sh\n');
    await writeFile(join(host, 'group'), 'somegroup:x:4343:someuser\n');
    const busybox = await readFile('/bin/busybox');
    const image = async (name: string, etc: Array<ReturnType<typeof file>>): Promise<void> => {
      const tar = await tarBuffer([dir('bin/'), file('bin/busybox', busybox, { mode: 0o755 }), dir('etc/'), ...etc]);
      const r = await d.docker(['import', '-', name], { input: tar, timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stderr);
    };
    await image('inroot/relative', [symlinkEntry('etc/passwd', `${climb}${host}/passwd`), symlinkEntry('etc/group', `${climb}${host}/group`)]);
    await image('inroot/absolute', [symlinkEntry('etc/passwd', `${host}/passwd`), symlinkEntry('etc/group', `/proc/1/root${host}/group`)]);
    await image('inroot/dir-link', [symlinkEntry('etc/x', `${climb}${host}`), symlinkEntry('etc/passwd', 'x/passwd')]);
    await image('inroot/workdir', [symlinkEntry('w', `${climb}${host}`), symlinkEntry('wabs', host)]);
    // the same links, with the rootfs holding its own copy where they point
    await image('inroot/inside', [
      dir(`${host.slice(1)}/`), file(`${host.slice(1)}/passwd`, 'someuser:x:1234:1235::/:/bin/sh\n'),
      symlinkEntry('etc/passwd', `${climb}${host}/passwd`),
    ]);
  });
  after(async () => { await d?.cleanup(); });

  const run = (image: string): Promise<RunResult> => d.docker(['run', '--rm', '-u', 'someuser', image, '/bin/busybox', 'id'], { timeoutMs: 120_000 });

  for (const image of ['inroot/relative', 'inroot/absolute', 'inroot/dir-link']) {
    test(`${image}: a passwd symlinked towards the host does not find the host's user`, async () => {
      const r = await run(image);
      assert.equal(r.code, 125, r.stdout);
      assert.match(r.stderr, /unable to find user someuser: no matching entries in passwd file/);
      assert.doesNotMatch(r.stdout, /4242/);
    });
  }

  test('a passwd symlink that climbs out resolves to the rootfs\'s own file', async () => {
    const r = await run('inroot/inside');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^uid=1234\(someuser\) gid=1235 /);
  });

  test('a WorkingDir through symlinks that climb out is made inside the rootfs, owned by root', async () => {
    for (const w of ['/w/made', '/wabs/made2']) {
      const r = await d.docker(['run', '--rm', '-u', '1234', '-w', w, 'inroot/workdir', '/bin/busybox', 'stat', '-c', '%u %a %n', '.', `${host}`], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `0 755 .\n0 755 ${host}\n`);
    }
    assert.deepEqual(readdirSync(host).sort(), ['group', 'passwd']);
  });

  test('a WorkingDir that names a file fails as in Docker', async () => {
    const r = await d.docker(['run', '--rm', '-w', '/bin/busybox', 'inroot/workdir', '/bin/busybox', 'true'], { timeoutMs: 120_000 });
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Cannot mkdir: \/bin\/busybox is not a directory/);
  });
});
