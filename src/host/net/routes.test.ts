import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable } from './routes.js';

test('parseRouteTable() reads /proc/net/route\'s little-endian destinations and masks', () => {
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'br0\t000012AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
  ].join('\n');
  assert.deepEqual(parseRouteTable(text), ['0.0.0.0/0', '192.0.2.0/24', '172.18.0.0/16']);
});
