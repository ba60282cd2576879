/** parseTemplate: a Go text/template with docker's functions, as `--format` uses it. */
import { InvalidArgumentError } from '../base/index.js';
import { builtinFuncs } from './builtins.js';
import { dockerFuncs } from './docker-funcs.js';
import { execute, TemplateExecError } from './exec.js';
import type { ExecResult } from './exec.js';
import { userFunc } from './func-def.js';
import type { FuncDef } from './func-def.js';
import { parse, TemplateParseError } from './parser.js';
import type { ParsedSet } from './parser.js';

export interface Template {
  /** Renders the template; throws InvalidArgumentError with Go's text on execution errors. */
  execute(data: unknown): string;
}

export interface TemplateOptions {
  /** Extra functions, like template.FuncMap; they override the builtins of the same name. */
  funcs?: Record<string, (...args: never[]) => unknown>;
}

/** Functions visible to every template: builtins, then docker's, then the caller's. */
function funcMap(extra: TemplateOptions['funcs']): Map<string, FuncDef> {
  const m = builtinFuncs();
  for (const [k, v] of dockerFuncs()) m.set(k, v);
  for (const [k, v] of Object.entries(extra ?? {})) m.set(k, userFunc(v));
  return m;
}

export class GoTemplate implements Template {
  private constructor(private readonly set: ParsedSet, private readonly funcs: ReadonlyMap<string, FuncDef>) {}

  static parse(src: string, opts: TemplateOptions = {}): GoTemplate {
    const funcs = funcMap(opts.funcs);
    try {
      return new GoTemplate(parse(src, (name) => funcs.has(name)), funcs);
    } catch (e) {
      if (e instanceof TemplateParseError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  }

  execute(data: unknown): string {
    const r = this.run(data);
    if (r.error) throw r.error;
    return r.output;
  }

  /**
   * Runs with some functions replaced (as template.Funcs does after parsing) and
   * returns partial output instead of throwing, for docker's table header.
   */
  run(data: unknown, overrides?: ReadonlyMap<string, FuncDef>): ExecResult {
    let funcs = this.funcs;
    if (overrides) {
      const m = new Map(this.funcs);
      for (const [k, v] of overrides) m.set(k, v);
      funcs = m;
    }
    return execute(this.set, '', data, funcs);
  }
}

/** Parses a Go template; throws InvalidArgumentError with Go's text ("template: :1: function \"foo\" not defined"). */
export function parseTemplate(src: string, opts?: TemplateOptions): Template {
  return GoTemplate.parse(src, opts);
}

export { TemplateExecError };
