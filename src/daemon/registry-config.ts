import { InvalidArgumentError } from '../base/index.js';
import { DEFAULT_REGISTRY_OPTIONS, mirrorEndpoint, type RegistryOptions } from '../registry/index.js';

/** daemon.json keys of the registry client (dockerd's, plus berth's `certs-dirs`). */
export const REGISTRY_FILE_KEYS = ['registry-mirrors', 'insecure-registries', 'max-concurrent-downloads', 'max-concurrent-uploads', 'max-download-attempts', 'certs-dirs'];

function strings(file: Record<string, unknown>, key: string): string[] | undefined {
  const v = file[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InvalidArgumentError(`invalid ${key} in daemon.json: expected a list of strings`);
  return v as string[];
}

function count(file: Record<string, unknown>, key: string, dflt: number): number {
  const v = file[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`invalid ${key} in daemon.json: ${JSON.stringify(v)} must be a positive integer`);
  return v;
}

/** The registry client's options from daemon.json and the flags (flags add to the file's lists, as dockerd merges them). */
export function registryConfig(file: Record<string, unknown>, flags: { mirrors?: string[]; insecure?: string[]; certsDirs?: string[] }): RegistryOptions {
  const insecure = [...(strings(file, 'insecure-registries') ?? []), ...(flags.insecure ?? [])];
  const mirrors = [...(strings(file, 'registry-mirrors') ?? []), ...(flags.mirrors ?? [])];
  for (const m of mirrors) mirrorEndpoint(m, { insecure }); // refuse a bad mirror at start, as dockerd
  const certsDirs = flags.certsDirs?.length ? flags.certsDirs : strings(file, 'certs-dirs') ?? DEFAULT_REGISTRY_OPTIONS.certsDirs;
  return {
    mirrors, insecure, certsDirs,
    maxConcurrentDownloads: count(file, 'max-concurrent-downloads', DEFAULT_REGISTRY_OPTIONS.maxConcurrentDownloads),
    maxConcurrentUploads: count(file, 'max-concurrent-uploads', DEFAULT_REGISTRY_OPTIONS.maxConcurrentUploads),
    maxDownloadAttempts: count(file, 'max-download-attempts', DEFAULT_REGISTRY_OPTIONS.maxDownloadAttempts),
  };
}
