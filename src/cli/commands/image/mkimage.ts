import { readJsonMessages } from '../../../client/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { displayJsonMessages } from '../../formatter/index.js';
import { StatusError } from '../../errors.js';

export function flags(fs: FlagSet) {
  return {
    tag: fs.string('tag', 't', '', 'Name and optionally a tag for the image (default "busybox:latest", "debian:<suite>" or "registry:latest")'),
    suite: fs.string('suite', '', 'bookworm', 'Debian suite to bootstrap (debian only)'),
    mirror: fs.string('mirror', '', '', 'Debian mirror (debian only; default: the mirror apt is configured with)'),
    busybox: fs.string('busybox', '', '/usr/bin/busybox', 'Static busybox binary to build from (busybox only)'),
  };
}

/**
 * Build a base image from this machine's files (Debian's busybox-static, or debootstrap) and
 * load it into the engine as `docker load` would (docs/decisions/0001-client-side-mkimage.md).
 */
export async function run(cli: Cli, o: ReturnType<typeof flags>, args: string[]): Promise<void> {
  const kind = args[0];
  const mk = await import('../../../mkimage/index.js');
  let archive;
  if (kind === 'busybox') {
    archive = await mk.busyboxArchive({ busybox: o.busybox.get, ...(o.tag.get ? { tag: o.tag.get } : {}) });
  } else if (kind === 'debian') {
    archive = await mk.debianArchive({ suite: o.suite.get, ...(o.mirror.get ? { mirror: o.mirror.get } : {}), ...(o.tag.get ? { tag: o.tag.get } : {}) });
  } else if (kind === 'registry') {
    const { installedFile } = await import('../registry/program.js');
    archive = await mk.registryArchive({ bundle: installedFile('dist/bundle/berth-registry.mjs'), ...(o.tag.get ? { tag: o.tag.get } : {}) });
  } else {
    throw new StatusError(1, `unknown base image "${kind}": expected busybox, debian or registry`);
  }
  try {
    const client = await cli.client();
    const res = await client.imageLoad(archive.stream, { quiet: !cli.out.isTTY });
    await displayJsonMessages(readJsonMessages(res), cli.out, { isTerminal: !!cli.out.isTTY, width: cli.out.columns });
  } finally {
    await archive.done();
  }
}
