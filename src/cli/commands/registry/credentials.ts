import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../../../base/index.js';
import type { Cli } from '../../cli.js';

/** Docker Hub's key in config.json's "auths". */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

/** The config.json key for a registry: Docker Hub's index URL for docker.io, else host[:port]. */
export function authKey(server: string): string {
  const s = server.trim().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (s === '' || s === 'docker.io' || s === 'index.docker.io' || s === 'registry-1.docker.io') return INDEX_SERVER;
  return s;
}

type AuthEntry = { auth?: string; identitytoken?: string; username?: string; password?: string };

/** The X-Registry-Auth header for a registry domain, from ~/.docker/config.json "auths" (base64url JSON). */
export async function registryAuth(cli: Cli, domain: string): Promise<string> {
  const auths = (await cli.config()).auths as Record<string, AuthEntry> | undefined;
  const key = authKey(domain);
  const entry = auths?.[key] ?? auths?.[domain] ?? auths?.[`https://${domain}`] ?? auths?.[`http://${domain}`];
  if (!entry) return Buffer.from('{}').toString('base64url');
  let [username = '', password = ''] = entry.auth ? Buffer.from(entry.auth, 'base64').toString().split(/:(.*)/s) : [];
  if (!entry.auth) [username, password] = [entry.username ?? '', entry.password ?? ''];
  const doc = { username, password, serveraddress: key, ...(entry.identitytoken ? { identitytoken: entry.identitytoken } : {}) };
  return Buffer.from(JSON.stringify(doc)).toString('base64url');
}

export function configPath(cli: Cli): string {
  return `${cli.global.configDir}/config.json`;
}

/** Change "auths" in config.json (written whole, atomically, mode 0600 as docker keeps it). */
export async function updateAuths(cli: Cli, change: (auths: Record<string, AuthEntry>) => void): Promise<void> {
  const cfg = { ...(await cli.config()) };
  const auths = { ...((cfg.auths as Record<string, AuthEntry> | undefined) ?? {}) };
  change(auths);
  cfg.auths = auths;
  await mkdir(cli.global.configDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(configPath(cli), `${JSON.stringify(cfg, null, '\t')}\n`, { mode: 0o600 });
}
