import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../base/index.js';
import { pathMatch } from './glob.js';

// Cases of Go's path.Match (its match_test.go table) plus the names `docker images` filters.
const cases: Array<[string, string, boolean | 'bad']> = [
  ['abc', 'abc', true], ['*', 'abc', true], ['*c', 'abc', true], ['a*', 'a', true], ['a*', 'abc', true],
  ['a*', 'ab/c', false], ['a*/b', 'abc/b', true], ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true], ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false], ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true], ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true], ['ab[b-d]', 'abc', true], ['ab[e-g]', 'abc', false], ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false], ['ab[^e-g]', 'abc', true], ['a\\*b', 'a*b', true], ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true], ['a[^a]b', 'a☺b', true], ['a???b', 'a☺b', false], ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true], ['*[a-ζ]', 'A', false], ['a?b', 'a/b', false], ['a*b', 'a/b', false],
  ['[\\]a]', ']', true], ['[\\-]', '-', true], ['[x\\-]', 'x', true], ['[x\\-]', '-', true], ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true], ['[\\-x]', '-', true], ['[\\-x]', 'a', false],
  ['[]a]', ']', 'bad'], ['[-]', '-', 'bad'], ['[x-]', 'x', 'bad'], ['[x-]', '-', 'bad'], ['[x-]', 'z', 'bad'],
  ['[-x]', 'x', 'bad'], ['[-x]', '-', 'bad'], ['[-x]', 'a', 'bad'], ['\\', 'a', 'bad'], ['[a-b-c]', 'a', 'bad'],
  ['[', 'a', 'bad'], ['[^', 'a', 'bad'], ['[^bc', 'a', 'bad'], ['a[', 'a', 'bad'], ['a[', 'ab', 'bad'],
  ['a[', 'x', 'bad'], ['a/b[', 'x', 'bad'], ['*x', 'xxx', true],
  // Names with '/', '-', '.' and ':' as `docker images REPO` passes them.
  ['example/my-app', 'example/my-app', true], ['example/my-app:v1.0', 'example/my-app:v1.0', true],
  ['example/my-app', 'example/my-app:v1.0', false], ['example/*', 'example/my-app', true],
  ['example/*', 'example/a/b', false], ['*/my-app:v1.?', 'example/my-app:v1.0', true], ['my.app', 'myxapp', false],
  ['a(b)+', 'a(b)+', true], ['a|b', 'a', false], ['$^{}', '$^{}', true],
];

test('pathMatch() follows Go path.Match, including names with / and -', () => {
  for (const [pattern, name, want] of cases) {
    if (want === 'bad') {
      assert.throws(() => pathMatch(pattern, name), InvalidArgumentError, `${pattern} ~ ${name}`);
    } else {
      assert.equal(pathMatch(pattern, name), want, `${pattern} ~ ${name}`);
    }
  }
});
