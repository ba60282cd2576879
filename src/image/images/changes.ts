import { InvalidArgumentError } from '../../base/index.js';
import { applyMetadata, DockerfileError, isMetadata, parseDockerfile, parseInstruction, wordEnv, type StageConfig } from '../../dockerfile/index.js';
import type { ImageRuntimeConfig } from '../../oci/index.js';

/** Instructions `docker import/commit --change` accepts (Docker's validCommitCommands). */
const VALID = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/**
 * Apply Dockerfile lines (`CMD ["sh"]`, `ENV A=1 B=2`, `EXPOSE 80/tcp`...) to a container
 * config, as `docker import -c` / `docker commit -c` do: moby parses the changes as one
 * Dockerfile and runs them through the builder's dispatchers, so words see the config's Env.
 * Errors carry no line: the changes are not a file.
 */
export function applyChanges(base: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig {
  let state: StageConfig = { config: structuredClone(base), cmdSet: false };
  if (changes.length === 0) return state.config;
  try {
    const parsed = parseDockerfile(changes.join('\n'));
    const escape = parsed.directives.escape;
    for (const node of parsed.instructions) {
      if (!VALID.has(node.keyword)) throw new InvalidArgumentError(`${node.keyword} is not a valid change command`);
      const ins = parseInstruction(node, escape);
      if (!isMetadata(ins)) throw new InvalidArgumentError(`${node.keyword} is not a valid change command`);
      state = applyMetadata(state, ins, { env: wordEnv(state.config, new Map()), escape }).state;
    }
  } catch (e) {
    throw e instanceof DockerfileError ? new InvalidArgumentError(e.detail) : e;
  }
  return state.config;
}
