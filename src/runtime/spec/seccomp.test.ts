import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelAtLeast, toOciSeccomp } from './seccomp.js';

test('toOciSeccomp() refuses both architectures and archMap', () => {
  assert.throws(() => toOciSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] },
    { capabilities: [], arch: 'x64', kernelVersion: '6.1' }), /both 'architectures' and 'archMap'/);
});

test('kernelAtLeast() compares major and minor', () => {
  assert.equal(kernelAtLeast('6.18.44-fc', '5.8'), true);
  assert.equal(kernelAtLeast('5.4.0', '5.8'), false);
  assert.equal(kernelAtLeast('5.8.1', '5.8'), true);
});
