import { exec } from './exec.js';
import { hostAddon } from './native.js';

// mount(2) flags (linux/mount.h).
const MS_NOSUID = 0x2;
const MS_NODEV = 0x4;
const MS_NOEXEC = 0x8;

/**
 * A tmpfs at `target` as Docker makes a shareable container's /dev/shm on the host: nosuid,
 * nodev, noexec, mode 1777, `sizeBytes` big.
 */
export async function mountShmTmpfs(target: string, sizeBytes: number): Promise<void> {
  const data = `mode=1777,size=${Math.floor(sizeBytes)}`;
  if (hostAddon) return hostAddon.mount('shm', target, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, data);
  await exec('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,noexec,${data}`, 'shm', target]);
}
