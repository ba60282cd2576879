import { posix } from 'node:path';
import { errnoCode, InternalError } from '../../base/index.js';
import { mkdirInRoot } from '../../host/index.js';

/**
 * Make the container's WorkingDir inside its rootfs before the start, as Docker does
 * (SetupWorkingDirectory: `mkdir -p` owned by root, mode 0755, symlinks followed inside the
 * rootfs). Resolved and made fd-relative in one step: a symlink in the rootfs, or one a
 * container swaps in, never makes the daemon create a directory on the host.
 */
export function setupWorkingDir(rootfs: string, workingDir: string): void {
  if (!workingDir) return;
  const dir = posix.normalize(workingDir);
  try {
    mkdirInRoot(rootfs, dir, { mode: 0o755, uid: 0, gid: 0 });
  } catch (e) {
    if (errnoCode(e) === 'ENOTDIR') throw new InternalError(`Cannot mkdir: ${dir} is not a directory`);
    throw new InternalError(`Cannot make the working directory "${dir}": ${(e as Error).message}`);
  }
}
