import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SystemDiskUsageResponse } from '../../api/types/index.js';
import { renderDiskUsage, renderDiskUsageVerbose } from './disk-usage.js';

const NOW = Date.parse('2026-01-15T00:00:00Z');
const du: SystemDiskUsageResponse = {
  LayersSize: 10_000_000,
  Images: [
    { Id: `sha256:${'a'.repeat(64)}`, ParentId: '', RepoTags: ['busybox:latest'], RepoDigests: [], Created: NOW / 1000 - 86400 * 14, Size: 4_000_000, SharedSize: 1_000_000, Labels: {}, Containers: 2 },
    { Id: `sha256:${'b'.repeat(64)}`, ParentId: '', RepoTags: [], RepoDigests: [], Created: NOW / 1000 - 3600, Size: 7_000_000, SharedSize: 1_000_000, Labels: {}, Containers: 0 },
  ],
  Containers: [
    { Id: 'c'.repeat(64), Names: ['/web'], Image: 'busybox', ImageID: `sha256:${'a'.repeat(64)}`, Command: 'sleep 300', Created: NOW / 1000 - 60, State: 'running', Status: 'Up 59 seconds', SizeRw: 100, SizeRootFs: 4_000_100, Ports: [], Labels: {}, Mounts: [] },
    { Id: 'd'.repeat(64), Names: ['/old'], Image: 'busybox', ImageID: `sha256:${'a'.repeat(64)}`, Command: 'true', Created: NOW / 1000 - 120, State: 'exited', Status: 'Exited (0) 2 minutes ago', SizeRw: 300, SizeRootFs: 4_000_300, Ports: [], Labels: {}, Mounts: [] },
  ] as SystemDiskUsageResponse['Containers'],
  Volumes: [{ Name: 'data', Driver: 'local', Mountpoint: '/v', Labels: null, Scope: 'local', Options: null, UsageData: { Size: 36, RefCount: 0 } }],
  BuildCache: [],
};

test('system df prints the four kinds with what could be reclaimed, as the docker CLI computes it', () => {
  assert.equal(renderDiskUsage(du, ''), [
    'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE',
    'Images          2         1         10MB      7MB (70%)',
    'Containers      2         1         400B      300B (75%)',
    'Local Volumes   1         0         36B       36B (100%)',
    'Build Cache     0         0         0B        0B',
    '',
  ].join('\n'));
  assert.equal(renderDiskUsage(du, '{{.Type}}={{.Reclaimable}}').split('\n')[0], 'Images=7MB (70%)');
  assert.equal(renderDiskUsage(du, 'json').split('\n')[1], '{"Active":"1","Reclaimable":"300B (75%)","Size":"400B","TotalCount":"2","Type":"Containers"}');
});

test('system df -v lays out a table per kind', () => {
  const out = renderDiskUsageVerbose(du, NOW);
  assert.match(out, /^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\nbusybox\s+latest\s+a{12}\s+2 weeks ago\s+4MB\s+1MB\s+3MB\s+2\n<none>\s+<none>\s+b{12}/);
  assert.match(out, /\n\nContainers space usage:\n\nCONTAINER ID\s+IMAGE\s+COMMAND\s+LOCAL VOLUMES\s+SIZE\s+CREATED\s+STATUS\s+NAMES\nc{12}\s+busybox\s+"sleep 300"\s+0\s+100B\s+About a minute ago/);
  assert.match(out, /\n\nLocal Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\ndata\s+0\s+36B\n\nBuild cache usage: 0B\n\nCACHE ID\s+CACHE TYPE\s+SIZE\s+CREATED\s+LAST USED\s+USAGE\s+SHARED\n$/);
});
