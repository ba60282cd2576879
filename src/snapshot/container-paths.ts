import { join } from 'node:path';
import { InvalidArgumentError } from '../base/index.js';

/** Where everything of one container lives under the data root's `containers/` directory. */
export interface ContainerPaths {
  /** containers/<id>/: the record, logs and the files below. */
  dir: string;
  /** The writable layer (overlay upperdir) and overlay's scratch dir. */
  upper: string;
  work: string;
  /** Where the rootfs is mounted while the container runs. */
  merged: string;
  /** Bind-mounted over /etc/hostname, /etc/hosts and /etc/resolv.conf. */
  hostname: string;
  hosts: string;
  resolvConf: string;
  log: string;
}

const ID_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * The one place that spells a container's paths. The id must be one path component
 * (container ids are hex; tests use short names).
 */
export function containerPaths(containersRoot: string, id: string): ContainerPaths {
  if (!ID_RE.test(id)) throw new InvalidArgumentError(`Cannot use container id "${id}": expected letters, digits, '_', '.', '-'`);
  const dir = join(containersRoot, id);
  return {
    dir,
    upper: join(dir, 'upper'),
    work: join(dir, 'work'),
    merged: join(dir, 'merged'),
    hostname: join(dir, 'hostname'),
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    log: join(dir, 'container.log'),
  };
}
