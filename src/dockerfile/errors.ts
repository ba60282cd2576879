import { InvalidArgumentError } from '../base/index.js';

/** A Dockerfile that cannot be parsed or run, with the line it concerns (1-based). */
export class DockerfileError extends InvalidArgumentError {
  constructor(readonly detail: string, readonly line?: number) {
    super(line === undefined ? detail : `dockerfile parse error on line ${line}: ${detail}`);
  }
}
