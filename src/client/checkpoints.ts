import type { EngineClient } from './engine-client.js';

const enc = encodeURIComponent;

/** POST /containers/{id}/checkpoints. */
export async function checkpointCreate(client: EngineClient, container: string, opts: { checkpointId: string; checkpointDir?: string; exit: boolean }): Promise<void> {
  await client.json(`/containers/${enc(container)}/checkpoints`, {
    method: 'POST', body: { CheckpointID: opts.checkpointId, ...(opts.checkpointDir ? { CheckpointDir: opts.checkpointDir } : {}), Exit: opts.exit },
  });
}

/** GET /containers/{id}/checkpoints. */
export async function checkpointList(client: EngineClient, container: string, opts: { checkpointDir?: string } = {}): Promise<Array<{ Name: string }>> {
  return (await client.json<Array<{ Name: string }> | null>(`/containers/${enc(container)}/checkpoints`, { query: { dir: opts.checkpointDir || undefined } })) ?? [];
}

/** DELETE /containers/{id}/checkpoints/{name}. */
export async function checkpointDelete(client: EngineClient, container: string, name: string, opts: { checkpointDir?: string } = {}): Promise<void> {
  await client.json(`/containers/${enc(container)}/checkpoints/${enc(name)}`, { method: 'DELETE', query: { dir: opts.checkpointDir || undefined } });
}
