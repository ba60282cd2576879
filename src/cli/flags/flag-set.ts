import type { FlagValue, Ulimit, Validator } from './values.js';
import {
  BoolValue, BytesValue, DurationValue, FilterValue, FlagValueError, IntValue, ListValue, MapValue,
  NanoCpusValue, StringValue, UlimitValue,
} from './values.js';

/** A flag error in pflag's words ("unknown flag: --foo"); the CLI adds usage and exits 125. */
export class FlagError extends Error {}

/** `--help` (or a deprecated `-h`) was given. */
export class HelpRequested extends Error {
  constructor() {
    super('help requested');
  }
}

export interface Flag<T> {
  readonly name: string;
  readonly short: string;
  readonly usage: string;
  readonly value: FlagValue<T>;
  /** The value's string form when it was defined ("(default ...)" in the usage) */
  readonly defValue: string;
  /** Value implied when the flag is given without one (`--rm`, `-d`) */
  readonly noOptDefVal: string;
  hidden: boolean;
  deprecated: string;
  shorthandDeprecated: string;
  /** docker's flag annotations: "version" (min API), "experimental", "ostype" */
  readonly annotations: Record<string, string>;
  /** Set on the command line */
  changed: boolean;
  /** Current value */
  readonly get: T;
}

class FlagImpl<T> implements Flag<T> {
  hidden = false;
  readonly annotations: Record<string, string> = {};
  deprecated = '';
  shorthandDeprecated = '';
  changed = false;
  readonly defValue: string;
  constructor(readonly name: string, readonly short: string, readonly usage: string, readonly value: FlagValue<T>, readonly noOptDefVal: string) {
    this.defValue = value.toString();
  }
  get get(): T {
    return this.value.value;
  }
}

export interface ParseResult {
  args: string[];
  /** Number of positional args before a `--`, or -1 */
  argsLenAtDash: number;
}

/**
 * A pflag-compatible flag set: `-abc` clusters, `-p80` and `-p=80`, `--name=v` and
 * `--name v`, `--bool=false`, repeatable list flags, `--` to end the flags, and
 * (when not interspersed) stop at the first positional argument.
 */
export class FlagSet {
  private readonly formal = new Map<string, FlagImpl<unknown>>();
  private readonly shorthands = new Map<string, FlagImpl<unknown>>();
  interspersed = true;
  /** Where deprecation notes go */
  warn: (msg: string) => void = (m) => process.stderr.write(m);

  /** Register a flag with any value type. */
  add<T>(name: string, short: string, usage: string, value: FlagValue<T>, opts: { noOptDefVal?: string; hidden?: boolean } = {}): Flag<T> {
    if (this.formal.has(name)) throw new Error(`flag redefined: ${name}`);
    const noOpt = opts.noOptDefVal ?? (value.type === 'bool' ? 'true' : '');
    const f = new FlagImpl<T>(name, short, usage, value, noOpt);
    f.hidden = opts.hidden ?? false;
    this.formal.set(name, f as FlagImpl<unknown>);
    if (short) {
      if (this.shorthands.has(short)) throw new Error(`unable to redefine ${JSON.stringify(short)} shorthand`);
      this.shorthands.set(short, f as FlagImpl<unknown>);
    }
    return f;
  }

  bool(name: string, short: string, def: boolean, usage: string): Flag<boolean> {
    return this.add(name, short, usage, new BoolValue(def));
  }

  string(name: string, short: string, def: string, usage: string): Flag<string> {
    return this.add(name, short, usage, new StringValue(def));
  }

  int(name: string, short: string, def: number, usage: string, type: 'int' | 'int64' | 'uint16' | 'uint64' = 'int'): Flag<number> {
    return this.add(name, short, usage, new IntValue(def, type));
  }

  /** A Go duration; the value is in milliseconds. */
  duration(name: string, short: string, defMs: number, usage: string): Flag<number> {
    return this.add(name, short, usage, new DurationValue(defMs));
  }

  list(name: string, short: string, usage: string, validator?: Validator, opts: { type?: string; bracketsWhenEmpty?: boolean } = {}): Flag<string[]> {
    return this.add(name, short, usage, new ListValue(validator, opts));
  }

  map(name: string, short: string, usage: string, validator?: Validator): Flag<Map<string, string>> {
    return this.add(name, short, usage, new MapValue(validator));
  }

  filter(name = 'filter', short = 'f', usage = 'Filter output based on conditions provided'): Flag<Record<string, string[]>> {
    return this.add(name, short, usage, new FilterValue());
  }

  bytes(name: string, short: string, usage: string, opts: { allowUnlimited?: boolean } = {}): Flag<number> {
    return this.add(name, short, usage, new BytesValue(0, opts.allowUnlimited ?? false));
  }

  nanoCpus(name: string, short: string, usage: string): Flag<number> {
    return this.add(name, short, usage, new NanoCpusValue());
  }

  ulimit(name: string, short: string, usage: string): Flag<Ulimit[]> {
    return this.add(name, short, usage, new UlimitValue());
  }

  /** Share one value between two names (`--net` and `--network`). */
  alias<T>(name: string, of: Flag<T>, opts: { hidden?: boolean; usage?: string } = {}): Flag<T> {
    const f = this.add(name, '', opts.usage ?? of.usage, of.value);
    f.hidden = opts.hidden ?? true;
    return f;
  }

  /** Set an annotation (docker's SetAnnotation) that decides whether help shows the flag. */
  annotate(name: string, key: 'version' | 'experimental' | 'ostype', value = ''): void {
    const f = this.formal.get(name);
    if (!f) throw new Error(`no such flag -${name}`);
    f.annotations[key] = value;
  }

  lookup(name: string): Flag<unknown> | undefined {
    return this.formal.get(name);
  }

  /** Flags in pflag's usage order (sorted by name). */
  sorted(): Flag<unknown>[] {
    return [...this.formal.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  changed(name: string): boolean {
    return this.formal.get(name)?.changed ?? false;
  }

  private setFlag(f: FlagImpl<unknown>, value: string): void {
    try {
      f.value.set(value);
    } catch (e) {
      const label = f.short && !f.shorthandDeprecated ? `-${f.short}, --${f.name}` : `--${f.name}`;
      const why = e instanceof FlagValueError || e instanceof Error ? e.message : String(e);
      throw new FlagError(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(label)} flag: ${why}`);
    }
    f.changed = true;
    if (f.deprecated) this.warn(`Flag --${f.name} has been deprecated, ${f.deprecated}\n`);
  }

  private parseLong(s: string, rest: string[]): string[] {
    const body = s.slice(2);
    if (body === '' || body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${s}`);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const f = this.formal.get(name);
    if (!f) {
      if (name === 'help') throw new HelpRequested();
      throw new FlagError(`unknown flag: --${name}`);
    }
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (f.noOptDefVal !== '') value = f.noOptDefVal;
    else if (rest.length > 0) {
      value = rest[0]!;
      rest = rest.slice(1);
    } else throw new FlagError(`flag needs an argument: ${s}`);
    this.setFlag(f, value);
    return rest;
  }

  private parseShort(s: string, rest: string[]): string[] {
    let shorts = s.slice(1);
    const args = rest;
    let out = rest;
    while (shorts.length > 0) {
      const c = shorts[0]!;
      const f = this.shorthands.get(c);
      if (!f) {
        if (c === 'h') throw new HelpRequested();
        throw new FlagError(`unknown shorthand flag: ${goChar(c)} in -${shorts}`);
      }
      let value: string;
      let next = shorts.slice(1);
      if (shorts.length > 2 && shorts[1] === '=') {
        value = shorts.slice(2);
        next = '';
      } else if (f.noOptDefVal !== '') value = f.noOptDefVal;
      else if (shorts.length > 1) {
        value = shorts.slice(1);
        next = '';
      } else if (args.length > 0) {
        // pflag reads the value from the arguments as they were before this cluster.
        value = args[0]!;
        out = args.slice(1);
      } else throw new FlagError(`flag needs an argument: ${goChar(c)} in -${shorts}`);
      if (f.shorthandDeprecated) this.warn(`Flag shorthand -${f.short} has been deprecated, ${f.shorthandDeprecated}\n`);
      this.setFlag(f, value);
      shorts = next;
    }
    return out;
  }

  /** Parse `argv` (without the command name); throws FlagError or HelpRequested. */
  parse(argv: readonly string[]): ParseResult {
    const args: string[] = [];
    let argsLenAtDash = -1;
    let rest = [...argv];
    while (rest.length > 0) {
      const s = rest[0]!;
      rest = rest.slice(1);
      if (s.length < 2 || s[0] !== '-') {
        args.push(s);
        if (!this.interspersed) {
          args.push(...rest);
          return { args, argsLenAtDash };
        }
        continue;
      }
      if (s[1] === '-') {
        if (s.length === 2) {
          argsLenAtDash = args.length;
          args.push(...rest);
          break;
        }
        rest = this.parseLong(s, rest);
      } else rest = this.parseShort(s, rest);
    }
    return { args, argsLenAtDash };
  }
}

/** Go's %q of a byte: 'x'. */
function goChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '\\') return "'\\\\'";
  return `'${c}'`;
}
