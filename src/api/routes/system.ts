import type { SystemInfo, SystemVersion } from '../types/index.js';
import { json, type Reply, type Router } from '../server/index.js';

export interface SystemBackend {
  version(): SystemVersion;
  info(): Promise<SystemInfo>;
  apiVersion: string;
  /** The daemon runs with --experimental (the Docker-Experimental header). */
  experimental: boolean;
}

export function systemRoutes(r: Router, sys: SystemBackend): void {
  const headers = { ...PING_HEADERS, 'Docker-Experimental': String(sys.experimental) };
  const ping = (): Reply => ({ kind: 'text', status: 200, body: 'OK', headers });
  for (const path of ['/_ping']) {
    r.get(path, ping);
    r.head(path, ping);
  }
  r.get('/version', () => json(sys.version()));
  r.get('/info', async () => json(await sys.info()));
}

/** Headers every /_ping answer carries, as dockerd sends them. */
export const PING_HEADERS = {
  'Builder-Version': '1',
  'Docker-Experimental': 'false',
  Swarm: 'inactive',
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
};
