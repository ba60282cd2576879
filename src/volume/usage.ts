import { fileType, S_IFDIR, ScopedDir } from '../host/index.js';

/** Bytes under a directory: its non-directory entries, each inode once (what `system df` shows of a volume). */
export async function treeUsage(root: string): Promise<number> {
  const dir = ScopedDir.open(root);
  try {
    const seen = new Set<number>();
    let size = 0;
    let n = 0;
    const stack = [''];
    while (stack.length) {
      const at = stack.pop()!;
      for (const name of dir.readdir(at)) {
        if (++n % 512 === 0) await new Promise((r) => setImmediate(r));
        const rel = at ? `${at}/${name}` : name;
        const st = dir.lstat(rel);
        if (!st) continue;
        if (fileType(st.mode) === S_IFDIR) stack.push(rel);
        else if (!seen.has(st.ino)) { seen.add(st.ino); size += st.size; }
      }
    }
    return size;
  } finally {
    dir.close();
  }
}
