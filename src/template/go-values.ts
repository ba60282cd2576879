/**
 * How plain JS data maps onto Go's reflect kinds for template execution.
 *
 * undefined is Go's invalid value (a missing map key), null a nil pointer or map,
 * integral numbers below 2^63 are ints and other numbers float64, arrays are
 * []interface {}, plain objects and Maps are map[string]interface {}, Dates are
 * time.Time and functions are methods or func values.
 */
export type GoKind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'func' | 'time';

const INT_LIMIT = 2 ** 63;

export function isGoInt(v: unknown): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < INT_LIMIT && !Object.is(v, -0));
}

export function kindOf(v: unknown): GoKind {
  switch (typeof v) {
    case 'undefined': return 'invalid';
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'number': return isGoInt(v) ? 'int' : 'float';
    case 'string': return 'string';
    case 'function': return 'func';
    case 'symbol': return 'invalid';
    default:
      if (v === null) return 'nil';
      if (Array.isArray(v) || ArrayBuffer.isView(v)) return 'slice';
      if (v instanceof Date) return 'time';
      return 'map';
  }
}

/**
 * Class instances stand for Go structs (docker's row contexts): asking them for a
 * member they lack is an error rather than a missing map key. The Go type name in
 * messages is the class's static `goTypeName`, else the class name.
 */
export function isStruct(v: unknown): v is object {
  return typeof v === 'object' && v !== null && kindOf(v) === 'map' && !(v instanceof Map) && !isPlainObject(v);
}

function structName(v: object): string {
  const ctor = (v as { constructor?: { name?: string; goTypeName?: unknown } }).constructor;
  if (typeof ctor?.goTypeName === 'string') return ctor.goTypeName;
  return ctor?.name || 'struct {}';
}

/** The Go type name used in error texts and %T. */
export function typeName(v: unknown): string {
  if (isStruct(v)) return structName(v);
  switch (kindOf(v)) {
    case 'invalid': return '<nil>';
    case 'nil': return 'interface {}';
    case 'bool': return 'bool';
    case 'int': return 'int';
    case 'float': return 'float64';
    case 'string': return 'string';
    // Go data with only strings is most often a []string or map[string]string (Cmd, Env, Labels).
    case 'slice': return allStrings(Array.from(v as ArrayLike<unknown>)) ? '[]string' : '[]interface {}';
    case 'map': return allStrings(v instanceof Map ? [...v.values()] : Object.values(v as object)) ? 'map[string]string' : 'map[string]interface {}';
    case 'func': return 'func()';
    case 'time': return 'time.Time';
  }
}

function allStrings(values: unknown[]): boolean {
  return values.length > 0 && values.every((x) => typeof x === 'string');
}

/** Go's truth: the zero value of a type is false. */
export function isTrue(v: unknown): boolean {
  switch (kindOf(v)) {
    case 'invalid': case 'nil': return false;
    case 'bool': return v as boolean;
    case 'int': return typeof v === 'bigint' ? v !== 0n : v !== 0;
    case 'float': return v !== 0;
    case 'string': return (v as string).length > 0;
    case 'slice': return (v as ArrayLike<unknown>).length > 0;
    case 'map': return mapSize(v as object) > 0;
    case 'func': case 'time': return true;
  }
}

function isPlainObject(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/** A map's entries in the order Go's fmt and range use: numbers numerically, then strings. */
export function sortedEntries(m: object): Array<[unknown, unknown]> {
  const entries: Array<[unknown, unknown]> = m instanceof Map
    ? [...m.entries()]
    : Object.keys(m).map((k) => [k, (m as Record<string, unknown>)[k]]);
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

function compareKeys(a: unknown, b: unknown): number {
  const na = typeof a === 'number' || typeof a === 'bigint';
  const nb = typeof b === 'number' || typeof b === 'bigint';
  if (na && nb) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if (na !== nb) return na ? -1 : 1;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function mapSize(m: object): number {
  return m instanceof Map ? m.size : Object.keys(m).length;
}

/**
 * Looks a key up on a map-like value. Class instances also expose prototype members
 * (getters and methods), so CLI row objects can compute fields lazily like Go methods.
 */
export function mapLookup(m: object, key: string): unknown {
  if (m instanceof Map) return m.get(key);
  if (Object.hasOwn(m, key)) return (m as Record<string, unknown>)[key];
  if (!isPlainObject(m) && key in m && !(key in Object.prototype)) return (m as Record<string, unknown>)[key];
  return undefined;
}

export function mapHas(m: object, key: string): boolean {
  if (m instanceof Map) return m.has(key);
  return Object.hasOwn(m, key) || (!isPlainObject(m) && key in m && !(key in Object.prototype));
}


/**
 * The zero value Go gives for an absent key: "" when the map looks like a
 * map[string]string (labels, options; empty maps included), else no value.
 */
export function missingKeyValue(m: object): unknown {
  const values = m instanceof Map ? [...m.values()] : Object.values(m);
  return values.every((v) => typeof v === 'string') ? '' : undefined;
}

export function toNumber(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(v) : v;
}
