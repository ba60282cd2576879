import { InvalidArgumentError } from './errors.js';

/** Docker's `filters` query parameter: name → set of values. */
export type Filters = Map<string, Set<string>>;

/**
 * Parse `{"label":{"a=b":true}}` or the legacy `{"label":["a=b"]}`. Names outside
 * `accepted` are refused with Docker's wording; `'any'` refuses none (dockerd's events).
 */
export function parseFilters(raw: string | undefined | null, accepted: readonly string[] | 'any'): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new InvalidArgumentError(`invalid filter: "${raw}" is not valid JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidArgumentError('invalid filter: expected a JSON object');
  for (const [name, v] of Object.entries(doc as Record<string, unknown>)) {
    if (accepted !== 'any' && !accepted.includes(name)) throw new InvalidArgumentError(`invalid filter '${name}'`);
    const values = new Set<string>();
    if (Array.isArray(v)) for (const x of v) values.add(String(x));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, on] of Object.entries(v)) if (on) values.add(k);
    } else throw new InvalidArgumentError(`invalid filter '${name}': expected a list or a map of values`);
    out.set(name, values);
  }
  return out;
}

/** Serialize filters as the Engine API expects them (map form). */
export function formatFilters(f: Filters | Record<string, string[]>): string {
  const doc: Record<string, Record<string, boolean>> = {};
  const entries = f instanceof Map ? [...f].map(([k, v]) => [k, [...v]] as const) : Object.entries(f);
  for (const [k, vs] of entries) doc[k] = Object.fromEntries(vs.map((x) => [x, true]));
  return JSON.stringify(doc);
}

/** True when `labels` satisfies every `key` or `key=value` in `wanted`. */
export function matchLabels(labels: Record<string, string> | undefined, wanted: Set<string> | undefined): boolean {
  if (!wanted || wanted.size === 0) return true;
  for (const w of wanted) {
    const eq = w.indexOf('=');
    if (eq < 0) {
      if (!labels || !(w in labels)) return false;
    } else if (!labels || labels[w.slice(0, eq)] !== w.slice(eq + 1)) return false;
  }
  return true;
}

/** Docker's boolean query values: anything but "", "0", "no", "false", "none" is true. */
export function boolParam(v: string | null | undefined): boolean {
  if (v === null || v === undefined) return false;
  return !['', '0', 'no', 'false', 'none'].includes(v.toLowerCase());
}

/**
 * Docker's filters.Args.Match for one value: the pattern equals the source, or, as a regular
 * expression, matches somewhere in it. A pattern that is not a valid expression matches
 * nothing (dockerd skips it), so no user input can fail the request.
 */
export function matchFilterPattern(pattern: string, source: string): boolean {
  if (pattern === source) return true;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    return false;
  }
  return re.test(source);
}
