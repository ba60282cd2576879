import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointSettingsFor, toEndpointConfig } from './networking.js';

test('endpointSettingsFor() picks the entry of the network the container joins, or the only one', () => {
  const net = { EndpointsConfig: { bridge: { MacAddress: '02:42:ac:11:00:09' }, other: { Aliases: ['x'] } } };
  assert.deepEqual(endpointSettingsFor(net, 'bridge'), { MacAddress: '02:42:ac:11:00:09' });
  assert.deepEqual(endpointSettingsFor(net, 'other'), { Aliases: ['x'] });
  assert.equal(endpointSettingsFor(net, 'none'), undefined);
  assert.deepEqual(endpointSettingsFor({ EndpointsConfig: { default: { Links: ['a'] } } }, 'bridge'), { Links: ['a'] });
  assert.deepEqual(endpointSettingsFor({ EndpointsConfig: { mynet: { Links: ['a'] } } }, 'host'), { Links: ['a'] });
  assert.equal(endpointSettingsFor(undefined, 'bridge'), undefined);
});

test('toEndpointConfig() keeps what the settings ask and nothing empty', () => {
  assert.deepEqual(toEndpointConfig({
    Aliases: ['web'], IPAMConfig: { IPv4Address: '172.20.0.5', LinkLocalIPs: [] }, MacAddress: '02:42:ac:11:00:09', Links: null, DriverOpts: { a: 'b' },
  }), { aliases: ['web'], ipv4Address: '172.20.0.5', macAddress: '02:42:ac:11:00:09', driverOpts: { a: 'b' } });
  assert.equal(toEndpointConfig({ Aliases: [], IPAMConfig: null }), undefined);
  assert.equal(toEndpointConfig(undefined), undefined);
});
