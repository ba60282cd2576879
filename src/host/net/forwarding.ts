import { readFile, writeFile } from 'node:fs/promises';

const IPV4_FORWARD = '/proc/sys/net/ipv4/ip_forward';

/** dockerd's --ip-forward: turn on IPv4 forwarding if it is off; returns whether it was changed. */
export async function enableIpv4Forwarding(path = IPV4_FORWARD): Promise<boolean> {
  if ((await readFile(path, 'utf8')).trim() === '1') return false;
  await writeFile(path, '1\n');
  return true;
}
