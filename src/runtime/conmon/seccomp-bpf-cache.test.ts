import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeSpec } from '../../oci/index.js';
import { SECCOMP_BPF_ANNOTATION, SeccompBpfCache } from './seccomp-bpf-cache.js';
import { DEFAULT_CAPABILITIES, dockerDefaultSeccompProfile, toOciSeccomp } from '../spec/index.js';

const spec = (names: string[]): RuntimeSpec => ({
  ociVersion: '1.0.2',
  linux: { seccomp: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names, action: 'SCMP_ACT_ALLOW' }] } },
} as unknown as RuntimeSpec);

test('the first spec with a profile is left to crun; later ones carry the filter crun compiled', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bpf-'));
  try {
    const cache = new SeccompBpfCache();
    const first = spec(['read', 'write']);
    const key = cache.apply(first);
    assert.ok(key);
    assert.equal(first.annotations, undefined);
    const bpf = Buffer.from([0x20, 0, 0, 0, 4, 0, 0, 0, 0x15, 0, 1, 0, 0x3e, 0, 0, 0xc0]);
    await writeFile(join(dir, 'seccomp.bpf'), bpf);
    await cache.learn(key, join(dir, 'seccomp.bpf'));

    const second = spec(['read', 'write']);
    assert.equal(cache.apply(second), undefined);
    assert.equal(second.annotations?.[SECCOMP_BPF_ANNOTATION], bpf.toString('base64'));
    // another profile is another filter
    const other = spec(['read']);
    assert.ok(cache.apply(other));
    assert.equal(other.annotations, undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('no profile, nothing to do; a missing or torn filter file teaches nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bpf-'));
  try {
    const cache = new SeccompBpfCache();
    assert.equal(cache.apply({ ociVersion: '1.0.2', linux: {} } as unknown as RuntimeSpec), undefined);
    const key = cache.apply(spec(['read']))!;
    await cache.learn(key, join(dir, 'missing.bpf'));
    await writeFile(join(dir, 'torn.bpf'), Buffer.alloc(13));
    await cache.learn(key, join(dir, 'torn.bpf'));
    assert.equal(cache.apply(spec(['read'])), key);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Docker\'s default profile gives each capability set its own key, and equal sets one key', () => {
  const cache = new SeccompBpfCache();
  const forCaps = (caps: readonly string[]): RuntimeSpec => ({
    ociVersion: '1.0.2',
    linux: { seccomp: toOciSeccomp(dockerDefaultSeccompProfile(), { capabilities: caps, arch: 'x64', kernelVersion: '6.1.0' }) },
  } as unknown as RuntimeSpec);
  const plain = cache.apply(forCaps(DEFAULT_CAPABILITIES));
  const admin = cache.apply(forCaps([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']));
  const ptrace = cache.apply(forCaps([...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE']));
  assert.ok(plain && admin && ptrace);
  assert.equal(new Set([plain, admin, ptrace]).size, 3);
  assert.equal(cache.apply(forCaps(DEFAULT_CAPABILITIES)), plain);
});
