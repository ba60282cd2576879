import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryResponseItem, ImageSummary } from '../../api/types/index.js';
import { renderRows } from './format.js';
import { HISTORY_HEADERS, historyFormat, historyRow, IMAGE_HEADERS, imageFormat, imageRows } from './image.js';

process.env.TZ = 'UTC';
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
const ID = 'sha256:b90481af7142865a4e13e3627f9655ca5c7fa5992408ebdc2aaba901868e3181';
const DIGEST = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

const base: ImageSummary = {
  Id: ID, ParentId: '', RepoTags: [], RepoDigests: [], Created: NOW / 1000 - 600, Size: 1_982_000, SharedSize: -1, Labels: {}, Containers: -1,
};

test('images lists one row per repository:tag, familiar names, 3-digit sizes', () => {
  const img = { ...base, RepoTags: ['busybox:latest', 'busybox:1', 'quay.io/x/y:v2'] };
  const fmt = imageFormat('table', { quiet: false, digests: false });
  assert.equal(renderRows(fmt, imageRows([img], { trunc: true, digests: false, format: fmt, now: NOW }), IMAGE_HEADERS), [
    'REPOSITORY    TAG       IMAGE ID       CREATED          SIZE',
    'busybox       latest    b90481af7142   10 minutes ago   1.98MB',
    'busybox       1         b90481af7142   10 minutes ago   1.98MB',
    'quay.io/x/y   v2        b90481af7142   10 minutes ago   1.98MB',
    '',
  ].join('\n'));
});

test('images shows dangling images as <none> and digests with --digests', () => {
  const dangling = { ...base };
  const pulled = { ...base, RepoTags: ['busybox:latest'], RepoDigests: [`busybox@${DIGEST}`] };
  const onlyDigest = { ...base, RepoDigests: [`alpine@${DIGEST}`] };
  const fmt = imageFormat('table', { quiet: false, digests: true });
  const rows = imageRows([dangling, pulled, onlyDigest], { trunc: true, digests: true, format: fmt, now: NOW });
  assert.deepEqual(rows.map((r) => [r.Repository, r.Tag, r.Digest]), [
    ['<none>', '<none>', '<none>'],
    ['busybox', 'latest', DIGEST],
    ['alpine', '<none>', DIGEST],
  ]);
  const plain = imageRows([onlyDigest], { trunc: true, digests: false, format: 'table', now: NOW });
  assert.deepEqual(plain.map((r) => [r.Repository, r.Tag, r.Digest]), [['alpine', '<none>', '']]);
});

test('images --format json has docker\'s fields, N/A for unknown counts', () => {
  const rows = imageRows([{ ...base, RepoTags: ['busybox:latest'] }], { trunc: true, digests: false, format: 'json', now: NOW });
  assert.equal(renderRows('json', rows, IMAGE_HEADERS), '{"Containers":"N/A","CreatedAt":"2024-05-01 11:50:00 +0000 UTC","CreatedSince":"10 minutes ago","Digest":"\\u003cnone\\u003e","ID":"b90481af7142","Repository":"busybox","SharedSize":"N/A","Size":"1.98MB","Tag":"latest","UniqueSize":"N/A","VirtualSize":"1.982MB"}\n');
});

test('imageFormat() picks the quiet, digest and custom forms', () => {
  assert.equal(imageFormat('table', { quiet: true, digests: false }), '{{.ID}}');
  assert.equal(imageFormat('table {{.ID}}', { quiet: false, digests: true }), 'table {{.ID}}\t{{.Digest}}');
  assert.equal(imageFormat('{{.ID}}', { quiet: false, digests: true }), '{{.ID}}');
});

const history: HistoryResponseItem[] = [
  { Id: ID, Created: NOW / 1000 - 7200, CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]\twith a tab and a long long tail', Tags: ['busybox:latest'], Size: 0, Comment: '' },
  { Id: '<missing>', Created: NOW / 1000 - 7201, CreatedBy: '/bin/sh -c #(nop) ADD file:abc in /', Tags: [], Size: 4_261_550, Comment: 'imported' },
];

test('history renders docker\'s table with human sizes and 45-column commands', () => {
  const rows = history.map((h) => historyRow(h, { trunc: true, human: true, now: NOW }));
  assert.equal(renderRows(historyFormat('table', { quiet: false, human: true }), rows, HISTORY_HEADERS), [
    'IMAGE          CREATED       CREATED BY                                      SIZE      COMMENT',
    'b90481af7142   2 hours ago   /bin/sh -c #(nop)  CMD ["sh"] with a tab and…   0B        ',
    '<missing>      2 hours ago   /bin/sh -c #(nop) ADD file:abc in /             4.26MB    imported',
    '',
  ].join('\n'));
});

test('history -H=false prints RFC 3339 dates and byte counts', () => {
  const r = historyRow(history[1]!, { trunc: true, human: false, now: NOW });
  assert.equal(r.CreatedAt, '2024-05-01T09:59:59Z');
  assert.equal(r.Size, '4261550');
  assert.equal(historyFormat('table', { quiet: false, human: false }).includes('{{.CreatedAt}}'), true);
});
