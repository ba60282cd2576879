import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toRuntimeMounts } from '../runtime/index.js';
import { parseMounts, resolveMounts } from './mounts.js';

test('parseMounts() reads Binds, Mounts and Tmpfs in dockerd\'s order with modes and propagation', () => {
  assert.deepEqual(parseMounts({
    Binds: ['/srv/data:/data:ro,rshared', 'cache:/cache:nocopy', '/etc/x:/x:z'],
    Mounts: [
      { Type: 'bind', Source: '/host', Target: '/in', ReadOnly: true, BindOptions: { Propagation: 'rslave', NonRecursive: true } },
      { Type: 'volume', Source: 'v1', Target: '/v', VolumeOptions: { NoCopy: true, DriverConfig: { Name: 'local', Options: { o: 'bind' } } } },
      { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777, Options: [['exec']] } },
    ],
    Tmpfs: { '/run': 'rw,size=65536k' },
  }), [
    { type: 'bind', source: '/srv/data', destination: '/data', readOnly: true, propagation: 'rshared', mode: 'ro,rshared', createSource: true },
    { type: 'volume', name: 'cache', destination: '/cache', readOnly: false, noCopy: true, mode: 'nocopy' },
    { type: 'bind', source: '/etc/x', destination: '/x', readOnly: false, mode: 'z', createSource: true },
    { type: 'bind', source: '/host', destination: '/in', readOnly: true, propagation: 'rslave', nonRecursive: true },
    { type: 'volume', name: 'v1', destination: '/v', readOnly: false, noCopy: true, driver: 'local', driverOptions: { o: 'bind' }, mode: '' },
    { type: 'tmpfs', destination: '/t', readOnly: false, sizeBytes: 1 << 20, mode: 0o1777, options: ['exec'], listed: true },
    { type: 'tmpfs', destination: '/run', readOnly: false, options: ['rw', 'size=65536k'] },
  ]);
  assert.deepEqual(parseMounts({}), []);
});

test('parseMounts() refuses what dockerd refuses', () => {
  assert.throws(() => parseMounts({ Binds: ['/a'] }), /^InvalidArgumentError: invalid volume specification: '\/a'$/);
  assert.throws(() => parseMounts({ Binds: ['/a:b'] }), /invalid mount path: 'b' mount path must be absolute/);
  assert.throws(() => parseMounts({ Binds: ['/a:/b:rx'] }), /invalid mode: rx/);
  assert.throws(() => parseMounts({ Binds: ['/a:/b', 'v:/b/'] }), /Duplicate mount point: \/b/);
  assert.throws(() => parseMounts({ Binds: ['/a:/'] }), /destination can't be '\/'/);
  assert.throws(() => parseMounts({ Mounts: [{ Type: 'volume', Target: '/v', VolumeOptions: { Subpath: 'x' } }] }), /must not set Subpath when using anonymous volumes/);
  assert.throws(() => parseMounts({ Mounts: [{ Type: 'volume', Source: 'n', Target: '/v', VolumeOptions: { Subpath: '../x' } }] }), /subpath must be a relative path/);
  assert.throws(() => parseMounts({ Mounts: [{ Type: 'bind', Target: '/b' }] }), /invalid mount config for type "bind": field Source must not be empty/);
  assert.throws(() => parseMounts({ Mounts: [{ Type: 'tmpfs', Source: '/x', Target: '/b' }] }), /field Source must not be specified/);
  assert.throws(() => parseMounts({ Mounts: [{ Type: 'bind', Source: '/x', Target: '/b', BindOptions: { Propagation: 'weird' } }] }), /invalid propagation mode: weird/);
});

test('resolveMounts() binds a volume\'s host path and refuses a volume it cannot resolve', () => {
  const decls = parseMounts({ Binds: ['v:/v:ro'] });
  assert.deepEqual(resolveMounts(decls, (n) => `/var/lib/berth/volumes/${n}/_data`), [{ type: 'bind', source: '/var/lib/berth/volumes/v/_data', destination: '/v', readOnly: true }]);
  assert.throws(() => resolveMounts(decls), /Cannot mount volume "v" at \/v/);
  assert.deepEqual(resolveMounts(parseMounts({ Binds: ['/h:/c:ro'] })), [{ type: 'bind', source: '/h', destination: '/c', readOnly: true }]);
});

test('toRuntimeMounts() writes binds and tmpfs as dockerd does', () => {
  assert.deepEqual(toRuntimeMounts([
    { type: 'bind', source: '/h', destination: '/c', readOnly: true },
    { type: 'bind', source: '/h', destination: '/d', readOnly: false, propagation: 'rshared', nonRecursive: true },
    { type: 'tmpfs', destination: '/t', readOnly: true, sizeBytes: 1024, mode: 0o1777, options: ['exec'] },
  ]), [
    { destination: '/c', type: 'bind', source: '/h', options: ['rbind', 'ro', 'rro', 'rprivate'] },
    { destination: '/d', type: 'bind', source: '/h', options: ['bind', 'rw', 'rshared'] },
    { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'size=1024', 'mode=1777', 'ro', 'exec'] },
  ]);
});

test('parseMounts() reads bind-recursive\'s read-only modes and bind-create-src as dockerd', () => {
  const [m] = parseMounts({ Mounts: [{ Type: 'bind', Source: '/h', Target: '/c', ReadOnly: true, BindOptions: { ReadOnlyNonRecursive: true, CreateMountpoint: true } }] });
  assert.deepEqual(m, { type: 'bind', source: '/h', destination: '/c', readOnly: true, readOnlyNonRecursive: true, createSource: true });
  assert.deepEqual(toRuntimeMounts(resolveMounts([m!]))[0]!.options, ['rbind', 'ro', 'rprivate']);
  assert.throws(() => parseMounts({ Mounts: [{ Type: 'bind', Source: '/h', Target: '/c', BindOptions: { ReadOnlyForceRecursive: true } }] }), /must not set ReadOnlyForceRecursive when ReadOnly is false/);
});
