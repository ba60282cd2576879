import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * The inodes of the UDP sockets a process holds: its descriptors that are sockets
 * (`/proc/<pid>/fd/*` → `socket:[inode]`) and that its network namespace's UDP tables
 * (`/proc/<pid>/net/udp`, `udp6`) list. Empty when the process is gone.
 */
export async function udpSocketsOf(pid: number): Promise<Set<string>> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const held = new Set((await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))))
    .map((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1]).filter((i): i is string => i !== undefined));
  if (!held.size) return held;
  const tables = await Promise.all(['udp', 'udp6'].map((t) => readFile(`/proc/${pid}/net/${t}`, 'utf8').catch(() => '')));
  const udp = new Set<string>();
  for (const line of tables.flatMap((t) => t.split('\n').slice(1))) {
    // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode ...
    const inode = line.trim().split(/\s+/)[9];
    if (inode && held.has(inode)) udp.add(inode);
  }
  return udp;
}
