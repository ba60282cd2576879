/** parseTemplate: a Go text/template with docker's functions, as `--format` uses it. */
import { InvalidArgumentError } from '../base/index.js';
import { builtinFuncs } from './builtins.js';
import { dockerFuncs } from './docker-funcs.js';
import { execute, TemplateExecError } from './exec.js';
import type { ExecResult, MissingKey } from './exec.js';
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
  /**
   * Go's Option("missingkey=..."): 'default' prints <no value>, 'zero' gives the map's
   * zero value, 'error' fails with `map has no entry for key "X"` (docker inspect's
   * fallback over raw JSON uses this).
   */
  missingKey?: MissingKey;
}

/** Functions visible to every template: builtins, then docker's, then the caller's. */
function funcMap(extra: TemplateOptions['funcs']): Map<string, FuncDef> {
  const m = builtinFuncs();
  for (const [k, v] of dockerFuncs()) m.set(k, v);
  for (const [k, v] of Object.entries(extra ?? {})) m.set(k, userFunc(v));
  return m;
}

export class GoTemplate implements Template {
  private constructor(
    private readonly set: ParsedSet,
    private readonly funcs: ReadonlyMap<string, FuncDef>,
    private readonly missingKey: MissingKey,
  ) {}

  static parse(src: string, opts: TemplateOptions = {}): GoTemplate {
    const funcs = funcMap(opts.funcs);
    try {
      return new GoTemplate(parse(src, (name) => funcs.has(name)), funcs, opts.missingKey ?? 'default');
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

  /** The same parsed template with some functions replaced, as template.Funcs does after parsing. */
  withFuncs(overrides: ReadonlyMap<string, FuncDef>): GoTemplate {
    const m = new Map(this.funcs);
    for (const [k, v] of overrides) m.set(k, v);
    return new GoTemplate(this.set, m, this.missingKey);
  }

  /** Runs and returns partial output with the error instead of throwing (docker's table header). */
  run(data: unknown): ExecResult {
    return execute(this.set, '', data, this.funcs, this.missingKey);
  }
}

/** Parses a Go template; throws InvalidArgumentError with Go's text ("template: :1: function \"foo\" not defined"). */
export function parseTemplate(src: string, opts?: TemplateOptions): Template {
  return GoTemplate.parse(src, opts);
}

export { TemplateExecError };
