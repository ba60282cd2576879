import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetworkService } from './network-service.js';
import { RecordingHost } from './recording-host.js';

// A child attaches containers in a loop until it is killed with SIGKILL.
const CHILD = `
import { NetworkService } from ${JSON.stringify(fileURLToPath(new URL('./network-service.js', import.meta.url)))};
import { RecordingHost } from ${JSON.stringify(fileURLToPath(new URL('./recording-host.js', import.meta.url)))};
const [root, execRoot] = process.argv.slice(1);
const svc = await NetworkService.open({ root, execRoot, host: new RecordingHost(), bridge: { name: 'bk0', subnet: '10.45.0.0/22' } });
for (let i = 0; ; i++) {
  const id = i.toString(16).padStart(64, '0');
  await svc.attach({ containerId: id, containerName: 'c' + i, mode: 'bridge' });
  if (i % 3 === 0) await svc.detach(id);
  process.stdout.write(i + '\\n');
}
`;

test('a kill -9 in the middle of attaches leaves leases and endpoint records that agree', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-net-crash-'));
  try {
    const root = join(dir, 'networks');
    const execRoot = join(dir, 'run');
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, root, execRoot], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, sig) => (sig === 'SIGKILL' ? resolve() : reject(new Error(`child exited early: ${code}`))));
      child.stdout.on('data', (b: Buffer) => {
        seen += b.toString().split('\n').length - 1;
        if (seen >= 40) child.kill('SIGKILL');
      });
    });

    const svc = await NetworkService.open({ root, execRoot, host: new RecordingHost(), bridge: { name: 'bk0', subnet: '10.45.0.0/22' } });
    const bridgeId = svc.get('bridge').id;
    const endpoints = svc.endpointsOf(bridgeId);
    assert.ok(endpoints.length >= 20, `only ${endpoints.length} endpoints survived`);
    const leases = JSON.parse(await readFile(join(root, 'ipam', `${bridgeId}.json`), 'utf8')).leases as Record<string, string>;
    const fromRecords = Object.fromEntries(endpoints.map((e) => [e.attachment.ipAddress, e.containerId]));
    assert.deepEqual(leases, fromRecords);
    assert.equal(new Set(endpoints.map((e) => e.attachment.ipAddress)).size, endpoints.length);
    const next = await svc.attach({ containerId: 'f'.repeat(64), containerName: 'after', mode: 'bridge' });
    assert.ok(!(next.ipAddress in leases));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
