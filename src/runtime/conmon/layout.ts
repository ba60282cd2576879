import { join } from 'node:path';
import { InvalidArgumentError } from '../../base/index.js';

/**
 * Where the runtime keeps its files under the exec root (/run/berth by default):
 *
 *   <execRoot>/containers/<id>/   the OCI bundle and conmon's files for one container:
 *       config.json                the runtime spec (its rootfs lives in the data root)
 *       pidfile                    the container's init pid (written by runc/crun)
 *       conmon.pid                 conmon's pid (written by conmon)
 *       attach                     conmon's SOCK_SEQPACKET attach socket (conmon --full-attach)
 *       ctl, winsz                 conmon's control FIFOs (resize, reopen logs)
 *       oom                        made by conmon (its working directory) when the OOM killer acted in the container's cgroup
 *   <execRoot>/exits/<id>          conmon's exit file: the exit code as text; its mtime is when it exited
 *   <execRoot>/exec/<execId>/      one exec's conmon (docker exec, health probes): process.json, pidfile,
 *                                  conmon.pid, attach, ctl, exit (conmon's persist dir); never in exits/
 *   <execRoot>/<runtime name>/     the runtime's state root (runc --root)
 *
 * Everything here is volatile (tmpfs): after a host reboot there is nothing to restore.
 */
export class RuntimeLayout {
  constructor(readonly execRoot: string, readonly runtimeName: string, private readonly runtimeRootOverride?: string) {}

  get runtimeRoot(): string {
    return this.runtimeRootOverride ?? join(this.execRoot, this.runtimeName);
  }

  /** The runtime's own state directory for a container (runc and crun keep one per container). */
  runtimeStateDir(id: string): string {
    return join(this.runtimeRoot, checkId(id));
  }

  get exitsDir(): string {
    return join(this.execRoot, 'exits');
  }

  get containersDir(): string {
    return join(this.execRoot, 'containers');
  }

  containerDir(id: string): string {
    return join(this.containersDir, checkId(id));
  }

  exitFile(id: string): string {
    return join(this.exitsDir, checkId(id));
  }

  pidFile(id: string): string {
    return join(this.containerDir(id), 'pidfile');
  }

  conmonPidFile(id: string): string {
    return join(this.containerDir(id), 'conmon.pid');
  }

  attachSocket(id: string): string {
    return join(this.containerDir(id), 'attach');
  }

  oomFile(id: string): string {
    return join(this.containerDir(id), 'oom');
  }

  ctlFifo(id: string): string {
    return join(this.containerDir(id), 'ctl');
  }

  get execsDir(): string {
    return join(this.execRoot, 'exec');
  }

  /** One exec's files; its attach socket and ctl FIFO are at the same names as a container's. */
  execDir(execId: string): string {
    return join(this.execsDir, checkId(execId));
  }
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Ids name files and runc state: no dots or slashes (exit-file temp names contain a dot). */
export function checkId(id: string): string {
  if (!ID_RE.test(id)) throw new InvalidArgumentError(`Invalid container id "${id}": expected letters, digits, "_" or "-"`);
  return id;
}
