import { StringDecoder } from 'node:string_decoder';
import { InvalidArgumentError, shortId } from '../../base/index.js';
import type { ImageRuntimeConfig } from '../../oci/index.js';
import type { BuildEngine, BuildMessage, StepHost } from './engine.js';

/** A RUN that exited non-zero; `code` goes into the error's detail, as Docker sends it. */
export class BuildStepError extends InvalidArgumentError {
  constructor(message: string, readonly code: number) { super(message); }
}


/**
 * Runs one RUN in a container made from the stage's image, streams its output, and commits
 * what it changed; the container is removed whatever happens (unless `rm` is off).
 */
export async function runCommand(o: {
  engine: BuildEngine; imageId: string; config: ImageRuntimeConfig; author?: string; argv: string[]; createdBy: string;
  env: string[]; host: StepHost; rm: boolean; emit(msg: BuildMessage): void; signal?: AbortSignal;
}): Promise<string> {
  const targets = (o.host.mounts ?? []).map((m) => m.target);
  const config: ImageRuntimeConfig = { ...o.config, Cmd: o.argv, Entrypoint: null, Env: [...(o.config.Env ?? []), ...o.env] };
  const id = await o.engine.createContainer({ imageId: o.imageId, config, host: o.host });
  try {
    o.emit({ stream: ` ---> Running in ${shortId(id)}\n` });
    const decoder = new StringDecoder('utf8');
    const code = await o.engine.runContainer(id, {
      output: (chunk) => {
        const text = decoder.write(chunk);
        if (text) o.emit({ stream: text });
      },
      signal: o.signal,
    });
    const tail = decoder.end();
    if (tail) o.emit({ stream: tail });
    if (code !== 0) throw new BuildStepError(`The command '${o.argv.join(' ')}' returned a non-zero code: ${code}`, code);
    if (targets.length) await o.engine.removeMountStubs(id, targets);
    return await o.engine.commit({ containerId: id, parent: o.imageId || undefined, config: o.config, author: o.author, createdBy: o.createdBy, signal: o.signal });
  } finally {
    if (o.rm) {
      await o.engine.removeContainer(id);
      o.emit({ stream: `Removing intermediate container ${shortId(id)}\n` });
    }
  }
}
