import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidArgumentError } from '../base/index.js';
import { formatRows, marshalRowJson, renderTable, splitTableFormat } from './index.js';

const HEADERS = { ID: 'CONTAINER ID', Names: 'NAMES', Labels: 'LABELS', Status: 'STATUS' };
const ROWS = [
  { ID: 'abc', Names: 'web', Labels: 'a=b', Status: 'Up <1s & "ok"' },
  { ID: 'defghijklmnop', Names: 'db', Labels: '', Status: 'Exited' },
];

describe('splitTableFormat', () => {
  const cases: Array<[string, { table: boolean; body: string }]> = [
    ['table', { table: true, body: '' }],
    ['json', { table: false, body: '{{json .}}' }],
    ['table {{.ID}}\\t{{.Names}}', { table: true, body: '{{.ID}}\t{{.Names}}' }],
    ['  {{.ID}}\\n  ', { table: false, body: '{{.ID}}\n' }],
    ['tablefoo', { table: true, body: 'foo' }],
    ['{{.ID}}\t{{.Names}}', { table: false, body: '{{.ID}}\t{{.Names}}' }],
  ];
  for (const [format, want] of cases) {
    test(`splitTableFormat(${JSON.stringify(format)}) follows docker's Format`, () => {
      assert.deepEqual(splitTableFormat(format), want);
    });
  }
});

describe('renderTable', () => {
  test('keeps header names intact through docker\'s header functions; pad still applies', () => {
    const out = renderTable(ROWS, '{{upper .Names}}\t{{json .Labels}}\t{{truncate .ID 3}}\t{{pad .Status 1 0}}', HEADERS);
    assert.equal(out, [
      'NAMES     LABELS    CONTAINER ID    STATUS',
      'WEB       "a=b"     abc             Up <1s & "ok"',
      'DB        ""        def             Exited',
      '',
    ].join('\n'));
  });

  test('prints <no value> in the header for a field without a header name', () => {
    assert.equal(renderTable([{ ID: 'a', Size: '1B' }], '{{.ID}}\t{{.Size}}', HEADERS), 'CONTAINER ID   <no value>\na              1B\n');
  });

  test('titles {{.Label "..."}} columns by the last part of the label', () => {
    const rows = [{ Label: (k: string) => (k === 'com.docker.compose.project' ? 'demo' : '') }];
    assert.equal(renderTable(rows, '{{.Label "com.docker.compose.project"}}\t{{.Label "org.some-label_x"}}', HEADERS), 'project   some label x\ndemo      \n');
  });

  test('cuts the header short where the header template fails, as docker ignores that error', () => {
    assert.equal(renderTable([{ ID: 'a' }], '{{.ID}}\t{{json .}}', HEADERS), 'CONTAINER ID   \na              {"ID":"a"}\n');
  });

  test('throws the row\'s execution error', () => {
    assert.throws(() => renderTable([{ ID: 1 }], '{{upper .ID}}', HEADERS), {
      message: 'template: :1:8: executing "" at <.ID>: wrong type for value; expected string; got int',
    });
  });
});

describe('formatRows', () => {
  test('runs a non-table format once per row, each followed by a newline', () => {
    assert.equal(formatRows(ROWS, '{{.ID}}: {{.Names}}', { headers: HEADERS }), 'abc: web\ndefghijklmnop: db\n');
  });

  test('renders {{json .}} of a row like docker\'s row contexts: sorted keys, HTML escaped', () => {
    assert.equal(formatRows([{ Status: 'a<b', ID: 'x' }], 'json', { headers: HEADERS }), '{"ID":"x","Status":"a\\u003cb"}\n');
    assert.equal(formatRows([{ Status: 'a<b' }], '{{json .Status}}', { headers: HEADERS }), '"a<b"\n');
  });

  test('uses the default table for a bare "table"', () => {
    assert.equal(formatRows(ROWS.slice(1), 'table', { headers: HEADERS, defaultTable: 'table {{.ID}}\t{{.Names}}' }),
      'CONTAINER ID    NAMES\ndefghijklmnop   db\n');
  });

  test('prefixes errors with docker\'s "template parsing error: "', () => {
    assert.throws(() => formatRows(ROWS, '{{.ID', { headers: HEADERS }), (e: unknown) =>
      e instanceof InvalidArgumentError && e.message === 'template parsing error: template: :1: unclosed action');
  });
});

describe('marshalRowJson', () => {
  test('includes zero-argument methods and getters by sorted name, like formatter.MarshalJSON', () => {
    class Row {
      constructor(private readonly id: string) {}
      get ID(): string { return this.id; }
      Names(): string { return 'web'; }
      Label(k: string): string { return k; }
      private helper(): string { return ''; }
    }
    assert.equal(marshalRowJson(new Row('x&y')), '{"ID":"x\\u0026y","Names":"web"}');
  });
});
