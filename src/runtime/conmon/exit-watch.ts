import { existsSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';

/**
 * Call onExit(id) when conmon writes an exit file into `exitsDir` (inotify through fs.watch; no
 * polling). conmon writes a temp file "<id>.XXXXXX" then renames it: names with a dot are skipped.
 * Each exit file is reported once per write; files present before the watch began are not.
 */
export function watchExitDir(exitsDir: string, onExit: (id: string) => void): () => void {
  const seen = new Map<string, number>();
  const watcher = watch(exitsDir, { persistent: true }, (_event, name) => {
    if (!name || name.includes('.')) return;
    const path = join(exitsDir, name);
    if (!existsSync(path)) {
      seen.delete(name);
      return;
    }
    let mtime = 0;
    try {
      mtime = statSync(path).mtimeMs;
    } catch {
      return;
    }
    if (seen.get(name) === mtime) return;
    seen.set(name, mtime);
    onExit(name);
  });
  watcher.on('error', () => watcher.close());
  return () => watcher.close();
}
