import { BIN } from './cli.js';
import type { ArgsRule } from './command.js';

function plural(word: string, n: number): string {
  return n === 1 ? word : `${word}s`;
}

/** Check positional args as docker's cli/required.go does; returns the error text or undefined. */
export function checkArgs(rule: ArgsRule, args: readonly string[], path: string, useLine: string): string | undefined {
  const n = args.length;
  switch (rule.kind) {
    case 'any':
      return undefined;
    case 'none':
      return n === 0 ? undefined : `${BIN}: '${path}' accepts no arguments\n\nUsage:  ${useLine}\n\nRun '${path} --help' for more information`;
    case 'min':
      return n >= rule.n ? undefined : `${BIN}: '${path}' requires at least ${rule.n} ${plural('argument', rule.n)}\n\nUsage:  ${useLine}\n\nSee '${path} --help' for more information`;
    case 'max':
      // "SRun" is docker's own typo; kept so that output matches byte for byte.
      return n <= rule.n ? undefined : `${BIN}: '${path}' requires at most ${rule.n} ${plural('argument', rule.n)}\n\nUsage:  ${useLine}\n\nSRun '${path} --help' for more information`;
    case 'exact':
      return n === rule.n ? undefined : `${BIN}: '${path}' requires ${rule.n} ${plural('argument', rule.n)}\n\nUsage:  ${useLine}\n\nRun '${path} --help' for more information`;
    case 'range':
      return n >= rule.min && n <= rule.max ? undefined : `${BIN}: '${path}' requires at least ${rule.min} and at most ${rule.max} ${plural('argument', rule.max)}\n\nUsage:  ${useLine}\n\nRun '${path} --help' for more information`;
  }
}
