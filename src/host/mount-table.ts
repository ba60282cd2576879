import { readFile } from 'node:fs/promises';

/** Every mount point in this process's mount namespace (/proc/self/mountinfo, octal escapes undone). */
async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field) points.push(field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))));
  }
  return points;
}

/** True when something is mounted at `path`: a file read, where `mountpoint -q` is a process per call. */
export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountPoints()).includes(path);
}

/** Mount points strictly below `root`, deepest first so they can be unmounted in that order. */
export async function mountPointsUnder(root: string): Promise<string[]> {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const points = new Set((await mountPoints()).filter((p) => p.startsWith(prefix)));
  return [...points].sort((a, b) => b.length - a.length);
}
