import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDockerfile } from './parser.js';
import { readDockerfile, targetStage } from './stages.js';
import type { Instruction } from './instructions.js';

const only = (text: string): Instruction => readDockerfile(`FROM scratch\n${text}`).stages[0]!.instructions[0]!;

test('parseDockerfile() reads directives only at the top, case-insensitively', () => {
  const p = parseDockerfile('# Escape=`\n# syntax=docker/dockerfile:1\nFROM busybox\n');
  assert.equal(p.directives.escape, '`');
  assert.equal(p.directives.syntax, 'docker/dockerfile:1');
  assert.equal(parseDockerfile('# comment\n# escape=`\nFROM busybox\n').directives.escape, '\\');
  assert.equal(parseDockerfile('\n# escape=`\nFROM busybox\n').directives.escape, '\\');
  assert.equal(parseDockerfile('# unknown=x\n# escape=`\nFROM busybox\n').directives.escape, '\\');
  assert.throws(() => parseDockerfile('# escape=x\nFROM a'), /invalid escape token 'x'/);
  assert.throws(() => parseDockerfile('# escape=`\n# escape=\\\nFROM a'), /only one escape parser directive/);
});

test('parseDockerfile() joins continuations, skips comments inside them, and keeps line numbers', () => {
  const p = parseDockerfile('FROM busybox\n\n# c\nRUN echo a \\\n  # inside\n  b \\\n\n  c\nCMD x\n');
  assert.deepEqual(p.instructions.map((n) => [n.keyword, n.rest, n.startLine, n.endLine]), [
    ['from', 'busybox', 1, 1], ['run', 'echo a   b   c', 4, 8], ['cmd', 'x', 9, 9],
  ]);
  assert.equal(p.warnings.length, 1);
  const bt = parseDockerfile('# escape=`\nFROM a\nRUN dir `\n  c:\\\n');
  assert.equal(bt.instructions[1]!.rest, 'dir   c:\\');
});

test('parseDockerfile() is case-insensitive for instructions and strips a BOM and CRLF', () => {
  const p = parseDockerfile('\uFEFFfrom busybox\r\nrUn true\r\n');
  assert.deepEqual(p.instructions.map((n) => n.keyword), ['from', 'run']);
  assert.equal(p.instructions[1]!.original, 'rUn true');
});

test('parseDockerfile() reads heredocs, several on one line, with <<- and quoted names', () => {
  const p = parseDockerfile('FROM a\nRUN <<EOF\necho $HOME\nEOF\nCOPY <<-"ONE" <<TWO /dst/\n\tone\n\tONE\ntwo\nTWO\nRUN true\n');
  const [, run, copy, last] = p.instructions;
  assert.deepEqual(run!.heredocs, [{ name: 'EOF', content: 'echo $HOME\n', expand: true, chomp: false }]);
  assert.deepEqual(copy!.heredocs, [
    { name: 'ONE', content: 'one\n', expand: false, chomp: true },
    { name: 'TWO', content: 'two\n', expand: true, chomp: false },
  ]);
  assert.equal(last!.startLine, 10);
  assert.throws(() => parseDockerfile('FROM a\nRUN <<EOF\nno end\n'), /line 2: unterminated heredoc EOF/);
});

test('instructions: leading flags, exec and shell forms', () => {
  const copy = only('COPY --from=build --chown="1:2" --link src1 src2 /dst/');
  assert.equal(copy.kind, 'copy');
  if (copy.kind !== 'copy') return;
  assert.deepEqual([copy.from, copy.chown, copy.link, copy.sources, copy.dest], ['build', '1:2', true, ['src1', 'src2'], '/dst/']);
  assert.deepEqual(only('CMD ["echo", "a b"]'), { ...only('CMD ["echo", "a b"]'), command: { args: ['echo', 'a b'], json: true } });
  const shell = only('ENTRYPOINT [not json');
  assert.ok(shell.kind === 'entrypoint' && !shell.command.json && shell.command.args[0] === '[not json');
  const run = only('RUN --mount=type=cache,target=/c --network=none ["sh", "-c", "true"]');
  assert.ok(run.kind === 'run' && run.mounts[0] === 'type=cache,target=/c' && run.network === 'none' && run.command.json);
});

test('instructions: ENV and LABEL in both forms, ARG with and without defaults', () => {
  const env = only('ENV A=1 B="two words" C=three\\ four');
  assert.ok(env.kind === 'env');
  assert.deepEqual(env.pairs, [{ key: 'A', value: '1' }, { key: 'B', value: '"two words"' }, { key: 'C', value: 'three\\ four' }]);
  const old = only('ENV PATH /usr/local/bin:$PATH extra');
  assert.ok(old.kind === 'env');
  assert.deepEqual(old.pairs, [{ key: 'PATH', value: '/usr/local/bin:$PATH extra' }]);
  const arg = only('ARG A B=2');
  assert.ok(arg.kind === 'arg');
  assert.deepEqual(arg.args, [{ name: 'A' }, { name: 'B', value: '2' }]);
  assert.throws(() => only('ENV ONLYKEY'), /line 2: ENV must have two arguments/);
  assert.throws(() => only('LABEL a=1 b'), /can't find = in "b"/);
});

test('instructions: HEALTHCHECK, ONBUILD, SHELL and their errors', () => {
  const hc = only('HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/');
  assert.ok(hc.kind === 'healthcheck');
  assert.deepEqual([hc.test, hc.interval, hc.retries], [['CMD-SHELL', 'curl -f http://localhost/'], 5e9, 3]);
  const none = only('HEALTHCHECK NONE');
  assert.ok(none.kind === 'healthcheck' && none.test[0] === 'NONE');
  assert.throws(() => only('HEALTHCHECK BOGUS x'), /Unknown type "BOGUS" in HEALTHCHECK/);
  assert.throws(() => only('ONBUILD ONBUILD RUN x'), /Chaining ONBUILD/);
  assert.throws(() => only('ONBUILD FROM x'), /FROM isn't allowed as an ONBUILD trigger/);
  assert.throws(() => only('ONBUILD FOO x'), /unknown instruction: FOO/);
  assert.throws(() => only('SHELL /bin/bash -c'), /SHELL requires the arguments to be in JSON form/);
});

test('instructions: errors name the line', () => {
  assert.throws(() => readDockerfile('FROM a\nRUN true\nFOOBAR x\n'), /line 3: unknown instruction: FOOBAR/);
  assert.throws(() => readDockerfile('FROM a\nCOPY onlyone\n'), /line 2: COPY requires at least two arguments/);
  assert.throws(() => readDockerfile('FROM a\nCOPY --bogus=1 a b\n'), /line 2: unknown flag: bogus/);
  assert.throws(() => readDockerfile('RUN x\nFROM a\n'), /line 1: no build stage in current context/);
  assert.throws(() => readDockerfile('FROM a AS 1bad\n'), /invalid name for build stage/);
  assert.throws(() => readDockerfile('FROM a b\n'), /FROM requires either one or three arguments/);
  assert.throws(() => readDockerfile('# only a comment\n'), /cannot be empty/);
});

test('readDockerfile() splits stages and keeps ARGs before the first FROM', () => {
  const df = readDockerfile('ARG BASE=busybox\nFROM $BASE AS Build\nRUN a\nFROM scratch\nCOPY --from=build /a /a\n');
  assert.deepEqual(df.metaArgs.map((a) => a.args), [[{ name: 'BASE', value: 'busybox' }]]);
  assert.deepEqual(df.stages.map((s) => [s.name, s.from.image, s.instructions.length]), [['build', '$BASE', 1], [undefined, 'scratch', 1]]);
  assert.equal(targetStage(df, 'BUILD').index, 0);
  assert.equal(targetStage(df).index, 1);
  assert.throws(() => targetStage(df, 'nope'), /failed to reach build target nope/);
  assert.throws(() => readDockerfile('FROM a AS x\nFROM b AS x\n'), /duplicate stage name "x"/);
});
