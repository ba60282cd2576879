import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSecurityOpts } from './security-opts.js';

const decode = { decodeProfile: true };

test('parseSecurityOpts() reads seccomp=unconfined, builtin and a JSON profile', () => {
  assert.deepEqual(parseSecurityOpts(undefined, decode), { seccomp: 'default', noNewPrivileges: false });
  assert.equal(parseSecurityOpts(['seccomp=unconfined'], decode).seccomp, 'unconfined');
  assert.equal(parseSecurityOpts(['seccomp:unconfined'], decode).seccomp, 'unconfined');
  assert.equal(parseSecurityOpts(['seccomp=builtin'], decode).seccomp, 'default');
  const own = parseSecurityOpts(['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}'], decode);
  assert.deepEqual(own.seccomp, { profile: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] } });
});

test('parseSecurityOpts() takes no-new-privileges bare, with = and with :, as Go booleans', () => {
  for (const o of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true', 'no-new-privileges=1', 'no-new-privileges=T']) {
    assert.equal(parseSecurityOpts([o], decode).noNewPrivileges, true, o);
  }
  assert.equal(parseSecurityOpts(['no-new-privileges', 'no-new-privileges=false'], decode).noNewPrivileges, false);
  assert.throws(() => parseSecurityOpts(['no-new-privileges=yes'], decode), { message: 'invalid --security-opt 2: "no-new-privileges=yes"' });
});

test('parseSecurityOpts() refuses unknown options with dockerd\'s wording and accepts label/apparmor', () => {
  assert.throws(() => parseSecurityOpts(['foo'], decode), { message: 'invalid --security-opt 1: "foo"' });
  assert.throws(() => parseSecurityOpts(['foo=bar'], decode), { message: 'invalid --security-opt 2: "foo=bar"' });
  assert.deepEqual(parseSecurityOpts(['label=disable', 'apparmor=unconfined', 'disable'], decode), { seccomp: 'default', noNewPrivileges: false });
});

test('parseSecurityOpts() decodes the profile only when asked, with dockerd\'s wording', () => {
  assert.equal(parseSecurityOpts(['seccomp={not json'], { decodeProfile: false }).seccomp, 'default');
  assert.throws(() => parseSecurityOpts(['seccomp={not json'], decode), { name: 'InvalidArgumentError', message: /^Decoding seccomp profile failed: / });
});
