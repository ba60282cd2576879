import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMountSpec, parseVolumeSpec } from './mounts.js';

test('parseVolumeSpec() splits binds, named volumes and anonymous volumes', () => {
  assert.deepEqual(parseVolumeSpec('/data'), { volume: '/data' });
  assert.deepEqual(parseVolumeSpec('/host:/data:ro'), { bind: '/host:/data:ro' });
  assert.deepEqual(parseVolumeSpec('vol:/data'), { bind: 'vol:/data' });
  assert.equal(parseVolumeSpec('./rel:/data').bind!.startsWith('/'), true);
  assert.throws(() => parseVolumeSpec(''), /invalid empty volume spec/);
  assert.throws(() => parseVolumeSpec('rel'), /mount path must be absolute/);
});

test('parseMountSpec() reads docker --mount fields', () => {
  assert.deepEqual(parseMountSpec('type=bind,source=/a,target=/b,readonly,bind-propagation=rshared'), {
    Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rshared' },
  });
  assert.deepEqual(parseMountSpec('src=v,dst=/d,volume-nocopy,volume-label=a=b,volume-opt=o=1'), {
    Type: 'volume', Source: 'v', Target: '/d', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Options: { o: '1' } } },
  });
  assert.deepEqual(parseMountSpec('type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770'), {
    Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 },
  });
  assert.throws(() => parseMountSpec('type=bind,source=/a'), /target is required/);
  assert.throws(() => parseMountSpec('type=bind,target=/a'), /source is required when specifying bind mount/);
  assert.throws(() => parseMountSpec('target=/a,foo=1'), /unexpected key 'foo' in 'foo=1'/);
});
