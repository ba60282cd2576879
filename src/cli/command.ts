import type { FlagSet } from './flags/index.js';
import type { Cli } from './cli.js';

/** Positional argument rules, with docker's error texts (cli/required.go). */
export type ArgsRule =
  | { kind: 'none' }
  | { kind: 'min'; n: number }
  | { kind: 'max'; n: number }
  | { kind: 'exact'; n: number }
  | { kind: 'range'; min: number; max: number }
  | { kind: 'any' };

/** A command's code: defines its flags, then runs with the parsed values. */
export interface CommandModule<O = unknown> {
  flags(fs: FlagSet): O;
  run(cli: Cli, opts: O, args: string[]): Promise<void>;
}

/** What the command tree knows about a command without loading its module. */
export interface CommandSpec {
  /** Name under its parent ("ls") */
  name: string;
  /** Usage after the command path ("[OPTIONS] CONTAINER [CONTAINER...]") */
  use: string;
  short: string;
  /** Other names under the same parent ("list", "ps") */
  aliases?: string[];
  /** The "Aliases:" line, when it lists more than the parent's aliases ("docker container ls, docker ps") */
  aliasesLine?: string;
  args: ArgsRule;
  /** False for run/create/exec: flags end at the first positional argument */
  interspersed?: boolean;
  /** Listed under "Common Commands" in the root help, in this order */
  top?: number;
  load?: () => Promise<CommandModule<any>>;
  children?: CommandSpec[];
  /** A management command that also exists at top level names its leaf here, e.g. "container ls" for ps */
  hidden?: boolean;
}
