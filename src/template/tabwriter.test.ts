import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderTable, TabWriter } from './index.js';

const dockerWriter = (): TabWriter => new TabWriter({ minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' });

const PS_BODY = '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
const PS_HEADERS = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', RunningFor: 'CREATED',
  Status: 'STATUS', Ports: 'PORTS', Names: 'NAMES',
};

describe('TabWriter', () => {
  test('pads every cell of a column to its widest cell plus 3, at least 10', () => {
    const tw = dockerWriter();
    tw.write('ID\tIMAGE\tNAME\nabcdef012345\tbusybox:latest\tweb\n');
    assert.equal(tw.flush(), [
      'ID             IMAGE            NAME',
      'abcdef012345   busybox:latest   web',
      '',
    ].join('\n'));
  });

  test('does not pad the last cell of a line (it is not tab-terminated)', () => {
    const tw = dockerWriter();
    tw.write('a\tb\n');
    assert.equal(tw.flush(), 'a         b\n');
  });

  test('a line without tabs ends a column block, as Go\'s elastic tabstops do', () => {
    const tw = dockerWriter();
    tw.write('a\tb\tc\nxxxxxxxxxxxx\ty\nno tabs here\nq\tr\n');
    assert.equal(tw.flush(), 'a              b         c\nxxxxxxxxxxxx   y\nno tabs here\nq         r\n');
  });

  test('pads empty cells and keeps trailing text without a newline', () => {
    const tw = dockerWriter();
    tw.write('\tx\n\t\ty');
    assert.equal(tw.flush(), '          x\n                    y');
  });

  test('measures wide characters as two terminal cells', () => {
    const tw = dockerWriter();
    tw.write('日本語の説明\tx\nabc\ty\n');
    assert.equal(tw.flush(), '日本語の説明   x\nabc            y\n');
  });

  test('pads with tabs when padchar is a tab', () => {
    const tw = new TabWriter({ minwidth: 0, tabwidth: 8, padding: 1, padchar: '\t' });
    tw.write('a\tb\nabcdefghij\tc\n');
    assert.equal(tw.flush(), 'a\t\tb\nabcdefghij\tc\n');
  });
});

describe('renderTable with the docker ps header', () => {
  test('renders docker ps\'s default table like docker', () => {
    const rows = [
      { ID: '4c01db0b339c', Image: 'nginx', Command: '"/docker-entrypoint.…"', RunningFor: '2 seconds ago', Status: 'Up 1 second', Ports: '0.0.0.0:8080->80/tcp', Names: 'web' },
      { ID: 'd5f1e2a3b4c5', Image: 'busybox', Command: '"sh"', RunningFor: '3 hours ago', Status: 'Exited (0) 3 hours ago', Ports: '', Names: 'quirky_noether' },
    ];
    assert.equal(renderTable(rows, PS_BODY, PS_HEADERS), [
      'CONTAINER ID   IMAGE     COMMAND                  CREATED         STATUS                   PORTS                  NAMES',
      '4c01db0b339c   nginx     "/docker-entrypoint.…"   2 seconds ago   Up 1 second              0.0.0.0:8080->80/tcp   web',
      'd5f1e2a3b4c5   busybox   "sh"                     3 hours ago     Exited (0) 3 hours ago                          quirky_noether',
      '',
    ].join('\n'));
  });

  test('prints only the header when there are no rows', () => {
    assert.equal(renderTable([], PS_BODY, PS_HEADERS),
      'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n');
  });
});
