import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * dockerd's --iptables=false for netavark 1.4, which has no firewall driver that adds nothing
 * ("none" came in later releases): a directory put first on netavark's PATH whose `iptables` and
 * `ip6tables` answer every call with success and no output. netavark then finds its chains and rules
 * "present" and adds none; the bridge, veths, addresses and aardvark-dns are made as usual.
 */
const SHIM = `#!/bin/sh
# berthd --iptables=false: netavark adds no firewall rule through this iptables (src/network/no-iptables.ts)
case " $* " in *" --version "*) echo "$(basename "$0") v1.8.9 (berth: no rules)";; esac
exit 0
`;

/** Write the shim under `dir` (a directory on an exec-capable filesystem); returns the directory for PATH. */
export async function installNoIptablesShim(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const name of ['iptables', 'ip6tables']) {
    const file = join(dir, name);
    await writeFile(file, SHIM);
    await chmod(file, 0o755);
  }
  return dir;
}
