import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonDocument, RecordStore } from './record-store.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-records-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Doc { n: number }

test('RecordStore keeps records across a reopen, in both layouts', async () => {
  await withDir(async (root) => {
    for (const layout of [{ kind: 'files' as const }, { kind: 'directories' as const, file: 'record.json' }]) {
      const dir = join(root, layout.kind, 'made-on-open');
      const a = await RecordStore.open<Doc>({ dir, layout });
      await a.put('one', { n: 1 });
      await a.put('two', { n: 2 });
      await a.put('one', { n: 11 });
      const b = await RecordStore.open<Doc>({ dir, layout });
      assert.deepEqual(b.entries().sort(), [['one', { n: 11 }], ['two', { n: 2 }]]);
      assert.equal(b.size, 2);
      await b.delete('two');
      await b.delete('never-there');
      const c = await RecordStore.open<Doc>({ dir, layout });
      assert.deepEqual(c.values(), [{ n: 11 }]);
    }
    assert.deepEqual((await readdir(join(root, 'files', 'made-on-open'))).sort(), ['one.json']);
    assert.deepEqual(await readdir(join(root, 'directories', 'made-on-open')), ['one']);
  });
});

test('RecordStore.open() sweeps the temp files of interrupted writes and loads the last committed document', async () => {
  await withDir(async (dir) => {
    const first = await RecordStore.open<Doc>({ dir, layout: { kind: 'files' } });
    await first.put('a', { n: 1 });
    // a crash between the temp file's write and its rename: a torn temp beside the committed record
    await writeFile(join(dir, '.a.json.0123456789ab.tmp'), '{"n": 2');
    await writeFile(join(dir, '.b.json.older-writer.tmp'), '{"n": 2}');
    await writeFile(join(dir, 'notes.txt'), 'not a record');
    const store = await RecordStore.open<Doc>({ dir, layout: { kind: 'files' } });
    assert.deepEqual(store.entries(), [['a', { n: 1 }]]);
    assert.deepEqual((await readdir(dir)).sort(), ['a.json', 'notes.txt']);
  });
  await withDir(async (dir) => {
    const first = await RecordStore.open<Doc>({ dir, layout: { kind: 'directories', file: 'record.json' } });
    await first.put('a', { n: 1 });
    await writeFile(join(dir, 'a', '.record.json.0123456789ab.tmp'), '{"n"');
    await writeFile(join(dir, 'a', 'other-file'), 'kept');
    const store = await RecordStore.open<Doc>({ dir, layout: { kind: 'directories', file: 'record.json' } });
    assert.deepEqual(store.get('a'), { n: 1 });
    assert.deepEqual((await readdir(join(dir, 'a'))).sort(), ['other-file', 'record.json']);
  });
});

test('RecordStore.open() throws on a document that is not JSON unless told what to do with it', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'torn.json'), '{"n": ');
    await writeFile(join(dir, 'good.json'), '{"n": 1}');
    await assert.rejects(RecordStore.open<Doc>({ dir, layout: { kind: 'files' } }), SyntaxError);
    const seen: string[] = [];
    const store = await RecordStore.open<Doc>({ dir, layout: { kind: 'files' }, onUnreadable: async (key) => { seen.push(key); } });
    assert.deepEqual(seen, ['torn']);
    assert.deepEqual(store.entries(), [['good', { n: 1 }]], 'a torn document is not loaded as a record');
  });
});

test('RecordStore.open() hands a record directory without its document to onUnreadable (a create that never finished)', async () => {
  await withDir(async (dir) => {
    await mkdir(join(dir, 'half-made'));
    await mkdir(join(dir, 'torn'));
    await writeFile(join(dir, 'torn', 'record.json'), '{');
    await assert.rejects(RecordStore.open<Doc>({ dir, layout: { kind: 'directories', file: 'record.json' } }), { code: 'ENOENT' });
    const seen: string[] = [];
    const store = await RecordStore.open<Doc>({
      dir, layout: { kind: 'directories', file: 'record.json' },
      onUnreadable: async (key, error) => {
        seen.push(`${key}: ${error instanceof SyntaxError ? 'syntax' : (error as { code: string }).code}`);
        await rm(join(dir, key), { recursive: true });
      },
    });
    assert.deepEqual(seen.sort(), ['half-made: ENOENT', 'torn: syntax']);
    assert.equal(store.size, 0);
    assert.deepEqual(await readdir(dir), []);
  });
});

test('RecordStore.open() still fails on read errors other than a missing or torn document', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'stray-file'), 'not a directory');
    await assert.rejects(
      RecordStore.open<Doc>({ dir, layout: { kind: 'directories', file: 'record.json' }, onUnreadable: async () => {} }),
      { code: 'ENOTDIR' },
    );
  });
});

test('RecordStore decodes and encodes records through the given functions', async () => {
  class Counter {
    constructor(public n: number) {}
    toState(): Doc { return { n: this.n }; }
  }
  await withDir(async (dir) => {
    const opts = { dir, layout: { kind: 'files' as const }, decode: (doc: unknown) => new Counter((doc as Doc).n), encode: (c: Counter) => c.toState() };
    const a = await RecordStore.open<Counter>(opts);
    await a.put('c', new Counter(3));
    assert.equal(await readFile(join(dir, 'c.json'), 'utf8'), '{"n":3}');
    const b = await RecordStore.open<Counter>(opts);
    assert.ok(b.get('c') instanceof Counter);
    assert.equal(b.get('c')?.n, 3);
  });
});

test('RecordStore.putNow() indexes at once and forgets the record again when the write fails', async () => {
  await withDir(async (root) => {
    const dir = join(root, 'records');
    const store = await RecordStore.open<Doc>({ dir, layout: { kind: 'files' } });
    const ok = store.putNow('a', { n: 1 });
    assert.deepEqual(store.get('a'), { n: 1 });
    await ok;
    await rm(dir, { recursive: true });
    await writeFile(dir, 'a file where the directory was');
    const failing = store.putNow('b', { n: 2 });
    assert.deepEqual(store.get('b'), { n: 2 });
    await assert.rejects(failing);
    assert.equal(store.has('b'), false);
  });
});

test('RecordStore.forget() drops a record from the index only', async () => {
  await withDir(async (dir) => {
    const store = await RecordStore.open<Doc>({ dir, layout: { kind: 'files' } });
    await store.put('a', { n: 1 });
    store.forget('a');
    assert.equal(store.get('a'), undefined);
    assert.deepEqual(await readdir(dir), ['a.json']);
  });
});

test('readJsonDocument() reads a document, undefined when there is none, and throws on a torn one', async () => {
  await withDir(async (dir) => {
    assert.equal(await readJsonDocument(join(dir, 'missing.json')), undefined);
    await writeFile(join(dir, 'doc.json'), '{"n":1}');
    assert.deepEqual(await readJsonDocument(join(dir, 'doc.json')), { n: 1 });
    await writeFile(join(dir, 'torn.json'), '{"n":');
    await assert.rejects(readJsonDocument(join(dir, 'torn.json')), SyntaxError);
  });
});
