import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AardvarkConfig } from './aardvark-config.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

async function withDir(fn: (dir: string, cfg: AardvarkConfig, hups: number[]) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-aardvark-'));
  const hups: number[] = [];
  try {
    await mkdir(join(dir, 'aardvark-dns'));
    await writeFile(join(dir, 'aardvark-dns', 'aardvark.pid'), '4321');
    await writeFile(join(dir, 'aardvark-dns', 'berth-n1'), `10.7.0.1\n${A} 10.7.0.2  app\n${B} 10.7.0.3  db\n`);
    const cfg = new AardvarkConfig(join(dir, 'aardvark-dns'), {
      signal: (pid, sig) => { if (sig === 'SIGHUP') hups.push(pid); },
      // aardvark binds a new socket once it has read its files: at once here
      udpSockets: async () => new Set([`s${hups.length}`]),
    });
    await fn(join(dir, 'aardvark-dns'), cfg, hups);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('setLinks() writes the linker\'s link file and reloads; the same links again change nothing; none removes it', async () => {
  await withDir(async (dir, cfg, hups) => {
    await cfg.setLinks('berth-n1', A, [{ alias: 'dbalias', targetId: B }]);
    const file = join(dir, `berth-n1.lk-${A.slice(0, 12)}`);
    assert.equal(await readFile(file, 'utf8'), `10.7.0.2\nberth-n1.lk-${A.slice(0, 12)} 10.7.0.2  app\nberth-n1.lk-${A.slice(0, 12)}.0 10.7.0.3  dbalias\n`);
    await cfg.quiet();
    assert.deepEqual(hups, [4321]);
    await cfg.setLinks('berth-n1', A, [{ alias: 'dbalias', targetId: B }]);
    await cfg.quiet();
    assert.deepEqual(hups, [4321]);
    await cfg.setLinks('berth-n1', A, []);
    assert.deepEqual((await readdir(dir)).sort(), ['aardvark.pid', 'berth-n1']);
    await cfg.quiet();
    assert.deepEqual(hups, [4321, 4321]);
  });
});

test('drop() removes the network\'s file with its link files, and no other network\'s', async () => {
  await withDir(async (dir, cfg) => {
    await cfg.setLinks('berth-n1', A, [{ alias: 'dbalias', targetId: B }]);
    await writeFile(join(dir, 'berth-n2'), `10.8.0.1\n${A} 10.8.0.2  app\n`);
    await writeFile(join(dir, `berth-n2.lk-${A.slice(0, 12)}`), `10.8.0.2\n`);
    await cfg.drop('berth-n1');
    assert.deepEqual((await readdir(dir)).sort(), ['aardvark.pid', 'berth-n2', `berth-n2.lk-${A.slice(0, 12)}`]);
  });
});

test('one SIGHUP at a time: changes made before aardvark has read the last share the next; a removal waits until it has read them all; no file is written in its directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-aardvark-'));
  try {
    const conf = join(dir, 'aardvark-dns');
    await mkdir(conf);
    await writeFile(join(conf, 'aardvark.pid'), '4321');
    await writeFile(join(conf, 'berth-n1'), `10.7.0.1\n${A} 10.7.0.2  app\n`);
    const seen: { files: string[]; hups: number }[] = [];
    let hups = 0;
    let reloaded = 0;
    let bind: () => void = () => {};
    let auto = false;
    const cfg = new AardvarkConfig(conf, {
      signal: (_pid, sig) => { if (sig === 'SIGHUP') hups += 1; },
      // aardvark binds its new socket when the test says it has read its files
      udpSockets: async () => {
        seen.push({ files: (await readdir(conf)).sort(), hups });
        return new Set([`s${auto ? hups : reloaded}`]);
      },
    });
    const read = (): Promise<void> => new Promise((r) => { bind = () => { reloaded = hups; r(); }; });
    await cfg.add('berth-n1', { containerId: B, ipv4: ['10.7.0.3'], ipv6: [], names: ['db'] });
    await cfg.add('berth-n1', { containerId: C, ipv4: ['10.7.0.4'], ipv6: [], names: ['c'] });
    await eventually(() => hups === 1);
    // the removal of a link file waits for aardvark to read both adds
    const linked = cfg.setLinks('berth-n1', A, [{ alias: 'x', targetId: B }]).then(() => cfg.setLinks('berth-n1', A, []));
    await eventually(() => seen.length > 4 && seen[seen.length - 1]!.files.some((f) => f.includes('.lk-')));
    assert.equal(hups, 1, 'not signalled again before aardvark read the first change');
    assert.ok((await readdir(conf)).some((f) => f.includes('.lk-')), 'the link file stays until aardvark has read the changes before');
    const first = read();
    bind();
    await first;
    await eventually(() => hups === 2);
    // from here aardvark reads at once
    auto = true;
    await linked;
    await cfg.quiet();
    assert.equal(await readFile(join(conf, 'berth-n1'), 'utf8'), `10.7.0.1\n${A} 10.7.0.2  app\n${B} 10.7.0.3  db\n${C} 10.7.0.4  c\n`);
    assert.deepEqual((await readdir(conf)).sort(), ['aardvark.pid', 'berth-n1']);
    assert.ok(seen.every((x) => x.files.every((f) => !f.includes('tmp'))), JSON.stringify(seen));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
}

test('setLinks() takes the linker\'s aliases out of the network\'s own file, where berth wrote them before link files', async () => {
  await withDir(async (dir, cfg, hups) => {
    await writeFile(join(dir, 'berth-n1'), `10.7.0.1\n${A} 10.7.0.2  app\n${B} 10.7.0.3  db\nberth-link-${A.slice(0, 12)}-0 10.7.0.3  dbalias\nberth-link-${B.slice(0, 12)}-0 10.7.0.2  other\n`);
    await cfg.setLinks('berth-n1', A, []);
    assert.equal(await readFile(join(dir, 'berth-n1'), 'utf8'), `10.7.0.1\n${A} 10.7.0.2  app\n${B} 10.7.0.3  db\nberth-link-${B.slice(0, 12)}-0 10.7.0.2  other\n`);
    await cfg.quiet();
    assert.deepEqual(hups, [4321]);
  });
});
