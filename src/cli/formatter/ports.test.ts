import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PortSummary } from '../../api/types/index.js';
import { displayablePorts } from './ports.js';

const CASES: Array<[string, PortSummary[], string]> = [
  ['nothing', [], ''],
  ['exposed only', [{ PrivatePort: 9988, Type: 'tcp' }], '9988/tcp'],
  ['udp', [{ PrivatePort: 9988, Type: 'udp' }], '9988/udp'],
  ['published on all addresses', [{ IP: '0.0.0.0', PrivatePort: 9988, PublicPort: 8899, Type: 'tcp' }], '0.0.0.0:8899->9988/tcp'],
  ['published on ipv6', [{ IP: '::', PrivatePort: 9988, PublicPort: 8899, Type: 'tcp' }], '[::]:8899->9988/tcp'],
  ['same port on both sides', [{ IP: '4.3.2.1', PrivatePort: 9988, PublicPort: 9988, Type: 'tcp' }], '4.3.2.1:9988->9988/tcp'],
  ['consecutive ports become a range', [{ PrivatePort: 9988, Type: 'udp' }, { PrivatePort: 9989, Type: 'udp' }, { PrivatePort: 9990, Type: 'udp' }], '9988-9990/udp'],
  ['a gap splits ranges', [{ PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 81, Type: 'tcp' }, { PrivatePort: 83, Type: 'tcp' }], '80-81/tcp, 83/tcp'],
  ['published identical ports form an ip range', [
    { IP: '1.2.3.4', PublicPort: 8000, PrivatePort: 8000, Type: 'tcp' },
    { IP: '1.2.3.4', PublicPort: 8001, PrivatePort: 8001, Type: 'tcp' },
  ], '1.2.3.4:8000-8001->8000-8001/tcp'],
  ['sorted by container port, mappings last', [
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { PrivatePort: 443, Type: 'tcp' },
    { PrivatePort: 53, Type: 'udp' },
  ], '53/udp, 443/tcp, 0.0.0.0:8080->80/tcp'],
];

for (const [name, ports, expected] of CASES) {
  test(`displayablePorts(): ${name}`, () => assert.equal(displayablePorts(ports), expected));
}
