import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { getRebaseName, prepareArchiveCopy, splitPathDirEntry, type CopyInfo } from './copy-info.js';

test('splitPathDirEntry() keeps "." for a path ending in "/." as Docker\'s', () => {
  assert.deepEqual(splitPathDirEntry('/a/b'), { dir: '/a', base: 'b' });
  assert.deepEqual(splitPathDirEntry('/a/b/'), { dir: '/a', base: 'b' });
  assert.deepEqual(splitPathDirEntry('/a/b/.'), { dir: '/a/b', base: '.' });
  assert.deepEqual(splitPathDirEntry('/a'), { dir: '/', base: 'a' });
  assert.deepEqual(splitPathDirEntry('b'), { dir: '.', base: 'b' });
});

test('getRebaseName() keeps the trailing "/" or "/." and names the link it followed', () => {
  assert.deepEqual(getRebaseName('/x/link', '/x/target'), { resolved: '/x/target', rebaseName: 'link' });
  assert.deepEqual(getRebaseName('/x/link/', '/x/target'), { resolved: '/x/target/', rebaseName: 'link' });
  assert.deepEqual(getRebaseName('/x/link/.', '/x/target'), { resolved: '/x/target/.', rebaseName: '' });
  assert.deepEqual(getRebaseName('/x/same', '/y/same'), { resolved: '/y/same', rebaseName: '' });
});

const info = (path: string, o: Partial<CopyInfo> = {}): CopyInfo => ({ path, exists: false, isDir: false, rebaseName: '', ...o });

test('prepareArchiveCopy() chooses where to extract and refuses as Docker does', () => {
  const body = (): Readable => Readable.from([]);
  assert.equal(prepareArchiveCopy(body(), info('/s/dir', { isDir: true }), info('/d/existing', { exists: true, isDir: true })).dstDir, '/d/existing');
  assert.equal(prepareArchiveCopy(body(), info('/s/dir', { isDir: true }), info('/d/new')).dstDir, '/d');
  assert.equal(prepareArchiveCopy(body(), info('/s/file'), info('/d/file', { exists: true })).dstDir, '/d');
  assert.throws(() => prepareArchiveCopy(body(), info('/s/dir', { isDir: true }), info('/d/file', { exists: true })), /^Error: cannot copy directory$|cannot copy directory/);
  assert.throws(() => prepareArchiveCopy(body(), info('/s/file'), info('/d/new/')), /no such directory/);
});
