import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { dnatChainName, removeEmptyDnatChain } from './dnat-chains.js';
import { RecordingHost } from './recording-host.js';

test('dnatChainName() is netavark\'s: 13 upper-case hex of SHA-512 of the network name', () => {
  assert.equal(dnatChainName('berth-0123456789ab'), `NETAVARK-DN-${createHash('sha512').update('berth-0123456789ab').digest('hex').slice(0, 13).toUpperCase()}`);
});

test('removeEmptyDnatChain() deletes the chain only when it holds no rule', async () => {
  const empty = new RecordingHost();
  assert.equal(await removeEmptyDnatChain(empty, 'berth-0123456789ab'), true);
  assert.deepEqual(empty.calls.map((c) => c.args.slice(1, 5)), [['-w', '-t', 'nat', '-S'], ['-w', '-t', 'nat', '-X']]);
  const busy = new RecordingHost();
  busy.exec = async (file, args) => {
    busy.calls.push({ op: file, args: [file, ...args] });
    return { code: 0, stdout: `-N X\n-A X -p tcp -j DNAT --to-destination 10.0.0.2:80\n`, stderr: '' };
  };
  assert.equal(await removeEmptyDnatChain(busy, 'berth-0123456789ab'), false);
  assert.equal(busy.calls.length, 1);
});
