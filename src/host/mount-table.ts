import { readFile } from 'node:fs/promises';

/**
 * Mount points strictly below `root` in this process's mount namespace (/proc/self/mountinfo,
 * with its octal escapes undone), deepest first so they can be unmounted in that order.
 */
export async function mountPointsUnder(root: string): Promise<string[]> {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = new Set<string>();
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    const point = field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    if (point.startsWith(prefix)) points.add(point);
  }
  return [...points].sort((a, b) => b.length - a.length);
}
