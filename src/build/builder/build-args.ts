import { expandWord, type ArgInstruction } from '../../dockerfile/index.js';

/** Args every build knows without an ARG line; left out of history and the cache key (as Docker). */
export const PREDEFINED_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
]);

/**
 * The `--build-arg` values of one build, and which of them the Dockerfile consumed. Values
 * are given as `NAME=value`, or `NAME` alone (no value: the arg stays unset unless a default).
 */
export class BuildArgs {
  private readonly consumed = new Set<string>();

  constructor(private readonly given: ReadonlyMap<string, string | null>, private readonly escape = '\\') {}

  /** The global scope: ARGs before the first FROM, with overrides; FROM lines expand against it. */
  metaScope(metaArgs: readonly ArgInstruction[]): Map<string, string> {
    const scope = new Map<string, string>();
    for (const ins of metaArgs) for (const arg of ins.args) this.declare(scope, arg, scope);
    return scope;
  }

  /**
   * Declares an ARG in a stage's scope: the --build-arg value wins, then the default (expanded
   * against what the stage sees), then a global value of the same name.
   */
  declare(scope: Map<string, string>, arg: { name: string; value?: string }, env: ReadonlyMap<string, string>, meta?: ReadonlyMap<string, string>): string | undefined {
    this.consumed.add(arg.name);
    const override = this.given.get(arg.name);
    let value: string | undefined;
    if (override !== undefined && override !== null) value = override;
    else if (arg.value !== undefined) value = expandWord(arg.value, env, { escape: this.escape }).value;
    else value = meta?.get(arg.name);
    if (value === undefined) scope.delete(arg.name);
    else scope.set(arg.name, value);
    return value;
  }

  /** Proxy args given on the command line, visible to RUN without a declaration. */
  predefined(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.given) if (PREDEFINED_ARGS.has(k) && v !== null) out.set(k, v);
    return out;
  }

  /** Docker's warning for --build-arg values no ARG asked for. */
  unusedWarning(): string | undefined {
    const unused = [...this.given.keys()].filter((k) => !this.consumed.has(k) && !PREDEFINED_ARGS.has(k)).sort();
    return unused.length ? `[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n` : undefined;
  }
}
