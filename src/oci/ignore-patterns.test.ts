import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanPath, isIgnored, readIgnoreFile } from './ignore-patterns.js';

const ignored = (file: string, ...paths: string[]): boolean[] => {
  const patterns = readIgnoreFile(file);
  return paths.map((p) => isIgnored(patterns, p));
};

test('readIgnoreFile() skips comments and blank lines, cleans patterns and drops a leading slash', () => {
  const p = readIgnoreFile('# comment\n\n  /secret/../secret.txt  \n!keep\n./a//b/\n');
  assert.deepEqual(p.map((x) => [x.pattern, x.exclusion]), [['secret.txt', false], ['keep', true], ['a/b', false]]);
  assert.throws(() => readIgnoreFile('!\n'), /illegal exclusion pattern/);
});

test('isIgnored() matches a path or any parent, * within a segment, ** across segments', () => {
  assert.deepEqual(ignored('secret', 'secret', 'secret/inner/file', 'secrets', 'dir/secret'), [true, true, false, false]);
  assert.deepEqual(ignored('*/temp*', 'somedir/temporary.txt', 'somedir/sub/temp', 'temp'), [true, false, false]);
  assert.deepEqual(ignored('**/*.go', 'a.go', 'x/y/z.go', 'x/y/z.gox'), [true, true, false]);
  assert.deepEqual(ignored('temp?', 'temp1', 'temp12', 'temp/'), [true, false, false]);
  assert.deepEqual(ignored('a/**', 'a/b', 'a/b/c', 'ab'), [true, true, false]);
  assert.deepEqual(ignored('file[0-9].txt', 'file1.txt', 'filex.txt'), [true, false]);
  assert.deepEqual(ignored('a.b', 'a.b', 'axb'), [true, false]);
});

test('isIgnored() lets the last matching pattern win, with ! exceptions', () => {
  assert.deepEqual(ignored('*.md\n!README.md', 'CHANGES.md', 'README.md'), [true, false]);
  assert.deepEqual(ignored('*.md\n!README*.md\nREADME-secret.md', 'README-secret.md', 'README-public.md'), [true, false]);
  assert.deepEqual(ignored('!keep\n*', 'keep', 'other'), [true, true]);
});

test('cleanPath() behaves as Go path.Clean', () => {
  assert.deepEqual(['a/./b/../c', '/../x', '../../a', '', 'a/'].map(cleanPath), ['a/c', '/x', '../../a', '.', 'a']);
});
