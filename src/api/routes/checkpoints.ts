import { InvalidArgumentError, NotImplementedError } from '../../base/index.js';
import type { ContainerFiles } from '../../container/index.js';
import { empty, json, type Router } from '../server/index.js';

export type CheckpointBackend = Pick<ContainerFiles, 'createCheckpoint' | 'listCheckpoints' | 'removeCheckpoint'>;

/** dockerd's answer (501) on an experimental route of a daemon started without --experimental. */
export const EXPERIMENTAL_DISABLED = 'This experimental feature is disabled by default. Start the Docker daemon in experimental mode in order to enable it.';

/**
 * Docker's checkpoint endpoints (experimental in Docker): create, list, delete; restore is
 * start?checkpoint=. Without --experimental each answers as dockerd's disabled routes do.
 */
export function checkpointRoutes(r: Router, backend: CheckpointBackend, opts: { experimental: boolean }): void {
  const disabled = (): never => { throw new NotImplementedError(EXPERIMENTAL_DISABLED); };
  const c: CheckpointBackend = opts.experimental ? backend
    : { createCheckpoint: disabled, listCheckpoints: disabled, removeCheckpoint: disabled };
  r.post('/containers/{id}/checkpoints', async (ctx) => {
    const body = await ctx.body<{ CheckpointID?: unknown; CheckpointDir?: unknown; Exit?: unknown }>();
    if (!body || typeof body !== 'object') throw new InvalidArgumentError('invalid JSON: expected a CheckpointCreateOptions object');
    const name = typeof body.CheckpointID === 'string' ? body.CheckpointID : '';
    if (body.CheckpointDir !== undefined && body.CheckpointDir !== null && typeof body.CheckpointDir !== 'string') throw new InvalidArgumentError('invalid JSON: CheckpointDir must be a string');
    const dir = (body.CheckpointDir as string | undefined) || undefined;
    await c.createCheckpoint(ctx.params.id!, { name, exit: body.Exit === true, ...(dir ? { dir } : {}) });
    return empty(201);
  });

  r.get('/containers/{id}/checkpoints', async (ctx) => {
    const dir = ctx.query.get('dir') || undefined;
    const names = await c.listCheckpoints(ctx.params.id!, dir ? { dir } : {});
    return json(names.map((Name) => ({ Name })));
  });

  r.delete('/containers/{id}/checkpoints/{checkpoint}', async (ctx) => {
    const dir = ctx.query.get('dir') || undefined;
    await c.removeCheckpoint(ctx.params.id!, ctx.params.checkpoint!, dir ? { dir } : {});
    return empty();
  });
}

