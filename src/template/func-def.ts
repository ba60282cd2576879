/**
 * How a template function declares its Go signature, so the executor can check and
 * convert arguments with Go's messages ("wrong number of args", "expected string").
 */

/**
 * 'value' is reflect.Value (receives undefined for a missing value), 'any' is
 * interface{} (receives null for it); the others are the Go types of that name.
 */
export type ParamType = 'value' | 'any' | 'string' | 'int' | 'bool';

export interface FuncDef {
  readonly params: readonly ParamType[];
  /** Element type of a trailing variadic parameter. */
  readonly variadic?: ParamType;
  /** and/or evaluate their arguments lazily. */
  readonly shortCircuit?: 'and' | 'or';
  /** Throws an Error whose message becomes "error calling NAME: message". */
  readonly fn: (...args: never[]) => unknown;
}

export type FuncMap = ReadonlyMap<string, FuncDef>;

export function goTypeName(t: ParamType): string {
  switch (t) {
    case 'value': return 'reflect.Value';
    case 'any': return 'interface {}';
    default: return t;
  }
}

/** A caller-supplied JS function: any number of arguments beyond its declared ones. */
export function userFunc(fn: (...args: never[]) => unknown): FuncDef {
  return { params: Array<ParamType>(fn.length).fill('any'), variadic: 'any', fn };
}
