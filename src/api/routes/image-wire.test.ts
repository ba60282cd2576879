import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toImageInspect, toImageSummary, type ImageView } from './image-wire.js';

const img: ImageView & { lastTagTime: string } = {
  id: 'sha256:' + 'a'.repeat(64), repoTags: ['example/app:v1'], repoDigests: [], parent: '', comment: 'Imported from -',
  created: '2026-01-02T03:04:05.000000006Z', size: 1234, layers: ['sha256:' + 'b'.repeat(64)], lastTagTime: '',
  config: { architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, rootfs: { type: 'layers', diff_ids: [] } },
} as unknown as ImageView & { lastTagTime: string };

test('toImageInspect() sends ContainerConfig, Container and VirtualSize to API 1.43 clients (docker-compose 1.29)', () => {
  const out = toImageInspect(img, '1.43') as Record<string, any>;
  assert.equal(out.Container, '');
  assert.deepEqual(Object.keys(out.ContainerConfig), ['Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr',
    'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels']);
  assert.equal(out.ContainerConfig.Volumes, null);
  assert.equal(out.VirtualSize, 1234);
  assert.deepEqual(out.Config.Cmd, ['sh']);
  assert.equal(out.Config.Hostname, '');
  assert.equal(out.Config.Volumes, null);
  assert.deepEqual(Object.keys(out), ['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'Container', 'ContainerConfig',
    'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'VirtualSize', 'GraphDriver', 'RootFS', 'Metadata']);
});

test('toImageInspect() drops fields as moby does at 1.44, 1.45 and 1.52', () => {
  const v144 = toImageInspect(img, '1.44') as Record<string, any>;
  assert.equal('VirtualSize' in v144, false);
  assert.equal('ContainerConfig' in v144, true);
  const v147 = toImageInspect(img, '1.47') as Record<string, any>;
  assert.equal('ContainerConfig' in v147, false);
  assert.equal('Container' in v147, false);
  assert.equal(v147.Config.Hostname, '', 'API < 1.50 fills the legacy Config keys');
  const v152 = toImageInspect(img, '1.52') as Record<string, any>;
  assert.equal('Parent' in v152, false);
  assert.equal('DockerVersion' in v152, false);
  assert.equal('Hostname' in v152.Config, false);
});

test('toImageInspect() gives API < 1.44 the zero time for an image without a creation time', () => {
  assert.equal(toImageInspect({ ...img, created: '' }, '1.43').Created, '0001-01-01T00:00:00Z');
  assert.equal(toImageInspect({ ...img, created: '' }, '1.44').Created, '');
});

test('toImageSummary() follows the API version: VirtualSize before 1.44, <none> before 1.43, Containers from 1.51', () => {
  assert.equal(toImageSummary(img, 2, '1.43').VirtualSize, 1234);
  assert.equal('VirtualSize' in toImageSummary(img, 2, '1.44'), false);
  const dangling = { ...img, repoTags: [], repoDigests: [] };
  assert.deepEqual(toImageSummary(dangling, 0, '1.42').RepoTags, ['<none>:<none>']);
  assert.deepEqual(toImageSummary(dangling, 0, '1.42').RepoDigests, ['<none>@<none>']);
  assert.deepEqual(toImageSummary(dangling, 0, '1.43').RepoTags, []);
  assert.equal(toImageSummary(img, 2, '1.47').Containers, -1);
  assert.equal(toImageSummary(img, 2, '1.51').Containers, 2);
});
