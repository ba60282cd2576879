import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary } from '../../api/types/index.js';
import { CONTAINER_HEADERS, containerFormat, containerRow, formatUsesSize } from './container.js';
import { renderRows } from './format.js';

process.env.TZ = 'UTC';
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const at = (secondsAgo: number): number => NOW / 1000 - secondsAgo;

const web: ContainerSummary = {
  Id: 'c48250cf4b430f5f9c9c42930817de0be80f823ddc4fb9ea9c2076f2c51a0125',
  Names: ['/web'],
  Image: 'docker.io/library/nginx:latest',
  ImageID: 'sha256:b90481af7142865a4e13e3627f9655ca5c7fa5992408ebdc2aaba901868e3181',
  Command: 'nginx -g "daemon off;" --with-a-long-tail',
  Created: at(3),
  Ports: [
    { PrivatePort: 80, PublicPort: 8080, Type: 'tcp', IP: '0.0.0.0' },
    { PrivatePort: 443, Type: 'tcp' },
  ],
  Labels: { b: '2', a: '1' },
  State: 'running',
  Status: 'Up 3 seconds',
  NetworkSettings: { Networks: { bridge: {} } },
  Mounts: [{ Name: 'a-very-long-volume-name-here', Driver: 'local' }, { Source: '/srv' }],
};
const old: ContainerSummary = {
  Id: '675920b232ece6e1ca9b800aad289001d97224b762d4b159a66eddee134c0bd1',
  Names: ['/c1', '/web/link'],
  Image: 'b90481af7142',
  ImageID: 'sha256:b90481af7142865a4e13e3627f9655ca5c7fa5992408ebdc2aaba901868e3181',
  Command: 'echo hi',
  Created: at(150),
  State: 'exited',
  Status: 'Exited (0) 2 minutes ago',
  SizeRw: 1234,
  SizeRootFs: 1_980_000,
};

test('ps renders docker\'s default table: truncated ids, quoted 20-char commands, ports', () => {
  const rows = [web, old].map((c) => containerRow(c, { trunc: true, now: NOW }));
  assert.equal(renderRows(containerFormat('', { quiet: false, size: false }), rows, CONTAINER_HEADERS), [
    'CONTAINER ID   IMAGE          COMMAND                   CREATED         STATUS                     PORTS                           NAMES',
    'c48250cf4b43   nginx:latest   "nginx -g \\"daemon of…"   3 seconds ago   Up 3 seconds               443/tcp, 0.0.0.0:8080->80/tcp   web',
    '675920b232ec   b90481af7142   "echo hi"                 2 minutes ago   Exited (0) 2 minutes ago                                   c1',
    '',
  ].join('\n'));
});

test('ps --no-trunc keeps full ids, commands and every name', () => {
  const r = containerRow(old, { trunc: false, now: NOW });
  assert.equal(r.ID, old.Id);
  assert.equal(r.Names, 'c1,web/link');
  assert.equal(r.Command, '"echo hi"');
  assert.equal(r.Image, 'b90481af7142');
});

test('ps -s adds SIZE with the virtual size', () => {
  const r = containerRow(old, { trunc: true, now: NOW });
  assert.equal(r.Size, '1.23kB (virtual 1.98MB)');
  assert.equal(containerFormat('', { quiet: false, size: true }).endsWith('\t{{.Size}}'), true);
});

test('ps --format json prints docker\'s fields in sorted order', () => {
  const out = renderRows('json', [containerRow(web, { trunc: true, now: NOW })], CONTAINER_HEADERS);
  assert.equal(out, '{"Command":"\\"nginx -g \\\\\\"daemon of…\\"","CreatedAt":"2024-05-01 11:59:57 +0000 UTC","ID":"c48250cf4b43","Image":"nginx:latest","Labels":"a=1,b=2","LocalVolumes":"1","Mounts":"a-very-long-vo…,/srv","Names":"web","Networks":"bridge","Platform":null,"Ports":"443/tcp, 0.0.0.0:8080-\\u003e80/tcp","RunningFor":"3 seconds ago","Size":"0B","State":"running","Status":"Up 3 seconds"}\n');
});

test('ps -q and a custom format with a label', () => {
  const rows = [containerRow(web, { trunc: true, now: NOW })];
  assert.equal(renderRows(containerFormat('', { quiet: true, size: false }), rows, CONTAINER_HEADERS), 'c48250cf4b43\n');
  assert.equal(renderRows('{{.Names}} {{.Label "b"}}', rows, CONTAINER_HEADERS), 'web 2\n');
  assert.equal(renderRows('table {{.Names}}\\t{{.State}}', rows, CONTAINER_HEADERS), 'NAMES     STATE\nweb       running\n');
});

test('formatUsesSize() asks for sizes only when the template reads .Size', () => {
  assert.equal(formatUsesSize('table {{.ID}}\t{{.Size}}'), true);
  assert.equal(formatUsesSize('{{json .}}'), true);
  assert.equal(formatUsesSize('json'), false);
  assert.equal(formatUsesSize('{{.Names}}'), false);
});
