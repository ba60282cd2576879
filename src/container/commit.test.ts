import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges } from '../image/index.js';
import { imageConfigOf, mergeCommitConfig } from './commit.js';
import type { ContainerDeclaration } from './config.js';

const decl: ContainerDeclaration = {
  Hostname: 'h', Domainname: '', User: 'u', AttachStdin: false, AttachStdout: true, AttachStderr: true,
  ExposedPorts: { '80/tcp': {} }, Tty: false, OpenStdin: false, StdinOnce: false,
  Env: ['PATH=/bin', 'A=1'], Cmd: ['sh', '-c', 'x'], Entrypoint: null, Image: 'busybox', Volumes: null, WorkingDir: '/w',
  Labels: { l: 'v' }, OnBuild: null, StopSignal: 'SIGINT',
};

test('imageConfigOf() writes the container\'s Config in Go\'s field order', () => {
  assert.deepEqual(Object.keys(imageConfigOf(decl)), [
    'Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'ExposedPorts', 'Tty', 'OpenStdin', 'StdinOnce',
    'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels', 'StopSignal',
  ]);
});

test('commit\'s config: change lines over the container\'s, then dockerd\'s merge', () => {
  const c = imageConfigOf(decl);
  const out = mergeCommitConfig(applyChanges(c, ['ENV A=2 B=3', 'EXPOSE 8080', 'LABEL m=n']), c);
  assert.deepEqual(out.Env, ['PATH=/bin', 'A=2', 'B=3']);
  assert.deepEqual(Object.keys(out.ExposedPorts ?? {}).sort(), ['80/tcp', '8080/tcp']);
  assert.deepEqual(out.Labels, { l: 'v', m: 'n' });
  assert.deepEqual(out.Cmd, ['sh', '-c', 'x']);
  const ep = mergeCommitConfig(applyChanges(c, ['ENTRYPOINT ["top"]']), c);
  assert.deepEqual([ep.Entrypoint, ep.Cmd], [['top'], null], 'an ENTRYPOINT drops the inherited CMD');
  const both = mergeCommitConfig(applyChanges(c, ['CMD ["-b"]', 'ENTRYPOINT ["top"]']), c);
  assert.deepEqual([both.Entrypoint, both.Cmd], [['top'], ['-b']]);
  // a body config (POST /commit) with only some fields: the container's fill the rest
  const partial = mergeCommitConfig({ Cmd: ['ls'] }, c);
  assert.equal(partial.User, 'u');
  assert.equal(partial.WorkingDir, '/w');
  assert.deepEqual(partial.Env, ['PATH=/bin', 'A=1']);
  assert.equal(partial.StopSignal, 'SIGINT');
});
