import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandWord, expandWords } from './word-expansion.js';

const env = new Map([['A', 'a'], ['EMPTY', ''], ['SPACED', 'x y  z'], ['PATHV', '/usr/local/bin:/usr/bin'], ['FILE', 'archive.tar.gz']]);
const word = (s: string, opts = {}): string => expandWord(s, env, opts).value;

test('expandWord() replaces $VAR and ${VAR}, unset ones by nothing', () => {
  assert.equal(word('$A-${A}-$NOPE-${NOPE}'), 'a-a--');
  assert.equal(word('pre$A.post'), 'prea.post');
  assert.equal(word('$'), '$');
  assert.equal(word('cost $ 5'), 'cost $ 5');
});

test('expandWord() removes quotes and keeps single-quoted text literal', () => {
  assert.equal(word('"hello world"'), 'hello world');
  assert.equal(word("'$A'"), '$A');
  assert.equal(word('"$A"\'$A\''), 'a$A');
  assert.equal(word('"say \\"hi\\" \\$A \\x"'), 'say "hi" $A \\x');
});

test('expandWord() honours the escape character, also a backtick', () => {
  assert.equal(word('\\$A'), '$A');
  assert.equal(word('a\\ b'), 'a b');
  assert.equal(word('`$A', { escape: '`' }), '$A');
  assert.equal(word('C:\\path', { escape: '`' }), 'C:\\path');
  assert.equal(word('\\$A', { rawEscapes: true }), '\\$A');
});

test('expandWord() applies the ${VAR:-w} ${VAR-w} ${VAR:+w} ${VAR+w} modifiers', () => {
  assert.equal(word('${NOPE:-def}'), 'def');
  assert.equal(word('${EMPTY:-def}'), 'def');
  assert.equal(word('${EMPTY-def}'), '');
  assert.equal(word('${A:-def}'), 'a');
  assert.equal(word('${A:+alt}'), 'alt');
  assert.equal(word('${EMPTY:+alt}'), '');
  assert.equal(word('${EMPTY+alt}'), 'alt');
  assert.equal(word('${NOPE:-$A and ${A}}'), 'a and a');
});

test('expandWord() trims prefixes and suffixes by glob, shortest and longest', () => {
  assert.equal(word('${FILE%.*}'), 'archive.tar');
  assert.equal(word('${FILE%%.*}'), 'archive');
  assert.equal(word('${FILE#*.}'), 'tar.gz');
  assert.equal(word('${FILE##*.}'), 'gz');
  assert.equal(word('${PATHV#/usr/}'), 'local/bin:/usr/bin');
  assert.equal(word('${FILE/tar/zip}'), 'archive.zip.gz');
  assert.equal(word('${PATHV//usr/opt}'), '/opt/local/bin:/opt/bin');
});

test('expandWord() refuses bad substitutions and unterminated quotes', () => {
  assert.throws(() => word('${}'), /bad substitution/);
  assert.throws(() => word('${A'), /missing '}'/);
  assert.throws(() => word('${A:x}'), /unsupported modifier \(x\)/);
  assert.throws(() => word('"open'), /matching double-quote/);
  assert.throws(() => word("'open"), /matching single-quote/);
  assert.throws(() => word('${NOPE:?must be set}'), /NOPE: must be set/);
});

test('expandWords() splits on unquoted whitespace, also inside unquoted values', () => {
  assert.deepEqual(expandWords('80 $SPACED "q r"', env).words, ['80', 'x', 'y', 'z', 'q r']);
  assert.deepEqual(expandWords('"$SPACED"', env).words, ['x y  z']);
  assert.deepEqual(expandWords('  ', env).words, []);
});

test('expandWord() reports the variables it read, set or not', () => {
  assert.deepEqual([...expandWord('$A ${NOPE:-x} $$', env).used].sort(), ['$', 'A', 'NOPE']);
});
