import type { ContainerService } from '../../container/index.js';
import { json, type Router } from '../server/index.js';
import type { ContainerTopResponse } from '../types/index.js';

export type TopBackend = Pick<ContainerService, 'top'>;

/** GET /containers/{id}/top?ps_args=: the host's ps over the container's processes. */
export function topRoutes(r: Router, c: TopBackend): void {
  r.get('/containers/{id}/top', async (ctx) => {
    const { titles, processes } = await c.top(ctx.params.id!, ctx.query.get('ps_args') ?? '');
    const body: ContainerTopResponse = { Titles: titles, Processes: processes };
    return json(body);
  });
}
