import { NotImplementedError, UnavailableError, parseFilters } from '../../base/index.js';
import { decodeJsonBody, struct } from '../types/index.js';
import type { Handler, RequestContext, Router } from '../server/index.js';

/** dockerd's answer to a manager request on a node that is in no swarm. */
export const NOT_A_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
/** dockerd's answer to `swarm leave` on a node that is in no swarm. */
export const NOT_IN_A_SWARM = 'This node is not part of a swarm';

/**
 * The swarm-mode endpoints, answered as a node outside any swarm answers them (clients clean
 * up with `swarm leave` and tolerate these 503s). Swarm mode itself is not implemented: init
 * and join are refused with 501. Bodies and filters are still checked first, as dockerd does.
 */
export function swarmRoutes(r: Router): void {
  const notManager: Handler = () => { throw new UnavailableError(NOT_A_MANAGER); };
  const withBody = (goType: string): Handler => async (ctx) => {
    await readBody(ctx, goType);
    return notManager(ctx);
  };
  const listing: Handler = (ctx) => {
    parseAnyFilters(ctx);
    return notManager(ctx);
  };
  const unsupported = (goType: string): Handler => async (ctx) => {
    await readBody(ctx, goType);
    throw new NotImplementedError('berth does not support swarm mode yet: this node cannot initialize or join a swarm');
  };

  r.post('/swarm/init', unsupported('swarm.InitRequest'));
  r.post('/swarm/join', unsupported('swarm.JoinRequest'));
  r.post('/swarm/leave', () => { throw new UnavailableError(NOT_IN_A_SWARM); });
  r.get('/swarm', notManager);
  r.get('/swarm/unlockkey', notManager);
  r.post('/swarm/update', withBody('swarm.Spec'));
  r.post('/swarm/unlock', withBody('swarm.UnlockRequest'));

  r.get('/services', listing);
  r.post('/services/create', withBody('swarm.ServiceSpec'));
  r.get('/services/{id}', notManager);
  r.post('/services/{id}/update', withBody('swarm.ServiceSpec'));
  r.delete('/services/{id}', notManager);
  r.get('/services/{id}/logs', notManager);

  r.get('/nodes', listing);
  r.get('/nodes/{id}', notManager);
  r.delete('/nodes/{id}', notManager);
  r.post('/nodes/{id}/update', withBody('swarm.NodeSpec'));

  r.get('/tasks', listing);
  r.get('/tasks/{id}', notManager);
  r.get('/tasks/{id}/logs', notManager);

  for (const [kind, spec] of [['secrets', 'swarm.SecretSpec'], ['configs', 'swarm.ConfigSpec']] as const) {
    r.get(`/${kind}`, listing);
    r.post(`/${kind}/create`, withBody(spec));
    r.get(`/${kind}/{id}`, notManager);
    r.delete(`/${kind}/{id}`, notManager);
    r.post(`/${kind}/{id}/update`, withBody(spec));
  }
}

/** The body must be JSON of the request's Go type; its fields do not matter without swarm mode. */
async function readBody(ctx: RequestContext, goType: string): Promise<void> {
  await ctx.body((text) => decodeJsonBody(text, struct(goType, {})));
}

function parseAnyFilters(ctx: RequestContext): void {
  const raw = ctx.query.get('filters');
  if (!raw) return;
  let doc: unknown;
  try { doc = JSON.parse(raw); } catch { doc = undefined; }
  // Which filter names exist is the manager's business; only the syntax is checked here.
  parseFilters(raw, doc && typeof doc === 'object' ? Object.keys(doc) : []);
}
