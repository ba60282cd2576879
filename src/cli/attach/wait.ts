import type { EngineClient } from '../../client/index.js';

/**
 * docker's waitExitOrRemoved: register a wait (next exit, or removal for --rm) before
 * the container starts; the promise gives its exit code, 125 when waiting failed.
 */
export async function waitExitOrRemoved(client: EngineClient, id: string, removed: boolean, err: NodeJS.WritableStream): Promise<{ exit: Promise<number> }> {
  const { result } = await client.containerWait(id, removed ? 'removed' : 'next-exit');
  const exit = result.then(
    (r) => {
      if (r.Error?.Message) {
        err.write(`Error waiting for container: ${r.Error.Message}\n`);
        return 125;
      }
      return r.StatusCode;
    },
    (e: unknown) => {
      err.write(`error waiting for container: ${e instanceof Error ? e.message : String(e)}\n`);
      return 125;
    },
  );
  return { exit };
}
