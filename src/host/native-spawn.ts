import { Socket } from 'node:net';
import type { HostAddon } from './native.js';
import { findInDirs, SYSTEM_PATH } from './path-lookup.js';

/** What a child's descriptor is: /dev/null, a pipe it reads from us, or a pipe it writes to us. */
export type FdKind = 'null' | 'in' | 'out';
const KIND: Record<FdKind, number> = { null: 0, in: 1, out: 2 };

export interface NativeChild {
  pid: number;
  /** Our end of each 'in'/'out' descriptor, by the child's descriptor number. */
  streams: Array<Socket | undefined>;
  /** Reap the child (once its pipes are closed, or when it is known to exit soon). */
  exited(): Promise<{ code: number | null; signal: number | null }>;
}

/**
 * Start a program through the addon's posix_spawn: no fork of the daemon (see berth-host.c).
 * Throws as Node's spawn reports it ('ENOENT' and the like) when the program cannot start.
 */
export function spawnNative(addon: HostAddon, file: string, args: readonly string[], opts: {
  env?: NodeJS.ProcessEnv; cwd?: string | undefined; fds: FdKind[]; detached?: boolean;
}): NativeChild {
  const env = opts.env ?? process.env;
  const envp = Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const { pid, fds } = addon.spawn(resolveFile(file, env.PATH), [file, ...args], envp, opts.cwd ?? null, opts.fds.map((k) => KIND[k]), opts.detached ?? false);
  const streams = fds.map((fd, i) => (fd < 0 ? undefined
    : new Socket({ fd, readable: opts.fds[i] === 'out', writable: opts.fds[i] === 'in' })));
  let reaped: Promise<{ code: number | null; signal: number | null }> | undefined;
  return {
    pid, streams,
    exited: () => (reaped ??= addon.wait(pid).then(([code, signal]) => ({ code, signal }))),
  };
}

const found = new Map<string, string>();

/** `file` looked up on PATH as execvp would, remembered: a miss per directory costs an exec attempt otherwise. */
function resolveFile(file: string, path = SYSTEM_PATH): string {
  if (file.includes('/')) return file;
  const key = `${path}\0${file}`;
  const hit = found.get(key) ?? findInDirs(file, path.split(':'));
  if (hit) found.set(key, hit);
  return hit ?? file;
}
