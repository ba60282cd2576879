import { delimiter } from 'node:path';
import { exec, findInDirs, readHostRuntimeFacts, SYSTEM_DIRS, type HostRuntimeFacts } from '../../host/index.js';

export type RuntimeName = 'runc' | 'crun';

export interface DetectedRuntime {
  name: RuntimeName;
  path: string;
  version: string;
  usable: boolean;
  reason?: string;
}

/** First executable named `name` on PATH or in the usual system directories. */
export async function findExecutable(name: string): Promise<string | undefined> {
  return findInDirs(name, [...new Set([...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS])]);
}

/**
 * The OCI runtimes on this host and whether each can run containers here, without starting one:
 * `--version` for presence, the cgroup layout for crun (1.8 refuses hybrid hosts whose cgroup2
 * mount has controllers).
 */
export async function detectRuntimes(facts?: Pick<HostRuntimeFacts, 'cgroupMode' | 'unifiedControllers'>): Promise<DetectedRuntime[]> {
  const host = facts ?? await readHostRuntimeFacts();
  const out: DetectedRuntime[] = [];
  for (const name of ['runc', 'crun'] as const) {
    const path = await findExecutable(name);
    if (!path) continue;
    const res = await exec(path, ['--version'], { allowFailure: true }).catch((e: Error) => ({ code: -1, stdout: '', stderr: e.message }));
    const version = /version\s+(\S+)/.exec(res.stdout)?.[1] ?? '';
    const entry: DetectedRuntime = { name, path, version, usable: res.code === 0 };
    if (res.code !== 0) entry.reason = `${name} --version failed: ${(res.stderr || res.stdout).trim()}`;
    else if (name === 'crun' && host.cgroupMode === 'hybrid' && host.unifiedControllers.length > 0) {
      entry.usable = false;
      entry.reason = 'cgroups in hybrid mode not supported, drop all controllers from cgroupv2';
    }
    out.push(entry);
  }
  return out;
}
