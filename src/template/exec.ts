/** Executes parsed templates with Go's text/template semantics and error texts. */
import { InvalidArgumentError } from '../base/index.js';
import { goTypeName } from './func-def.js';
import type { FuncDef, FuncMap, ParamType } from './func-def.js';
import { sprint } from './go-fmt.js';
import { goQuote } from './go-strconv.js';
import { isGoInt, isStruct, isTrue, kindOf, mapHas, mapLookup, missingKeyValue, sortedEntries, toNumber, typeName } from './go-values.js';
import { nodeString } from './nodes.js';
import type {
  ArgNode, BranchNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, NumberNode, PipeNode,
  TemplateNode, VariableNode,
} from './nodes.js';
import type { ParsedSet } from './parser.js';

/** An execution failure; `partial` is what had been written before it, as Go leaves it in the writer. */
export class TemplateExecError extends InvalidArgumentError {
  partial = '';
}

/** Go recurses 100000 deep; JS stacks end sooner, so stop earlier with the same message. */
const MAX_EXEC_DEPTH = 1000;

/** Marks "no value from a previous pipeline stage" (Go's missingVal). */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

class LoopControl {
  constructor(readonly kind: 'break' | 'continue') {}
}

interface Variable { name: string; value: unknown }

type Fn = (...args: unknown[]) => unknown;

class State {
  private readonly out: string[] = [];
  private node: Node | undefined;
  private vars: Variable[];
  private depth = 0;
  private tmplName: string;

  constructor(private readonly set: ParsedSet, private readonly funcs: FuncMap, private readonly missingKey: MissingKey, name: string, data: unknown) {
    this.tmplName = name;
    this.vars = [{ name: '$', value: data }];
  }

  output(): string {
    return this.out.join('');
  }

  private at(node: Node): void {
    this.node = node;
  }

  private location(pos: number): string {
    const text = this.set.text;
    const before = text.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const line = before.split('\n').length;
    const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1), 'utf8');
    return `:${line}:${col}`;
  }

  errorf(message: string): never {
    const name = goQuote(this.tmplName);
    if (this.node === undefined) throw new TemplateExecError(`template: ${this.tmplName}: ${message}`);
    throw new TemplateExecError(`template: ${this.location(this.node.pos)}: executing ${name} at <${nodeString(this.node)}>: ${message}`);
  }

  // Variables.
  private mark(): number { return this.vars.length; }
  private pop(mark: number): void { this.vars.length = mark; }
  private push(name: string, value: unknown): void { this.vars.push({ name, value }); }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) { v.value = value; return; }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  // Walking.
  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'if': case 'with': this.walkIfOrWith(dot, node); return;
      case 'list': for (const n of node.nodes) this.walk(dot, n); return;
      case 'range': this.walkRange(dot, node); return;
      case 'template': this.walkTemplate(dot, node); return;
      case 'text': this.out.push(node.text); return;
      case 'break': case 'continue': throw new LoopControl(node.type);
      default: this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: unknown, elem: unknown): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar((decl[0] as VariableNode).ident[0] as string, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar((decl[1] as VariableNode).ident[0] as string, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (!(e instanceof LoopControl && e.kind === 'continue')) throw e;
        } finally {
          this.pop(mark);
        }
      };
      try {
        if (this.rangeOver(val, decl.length, oneIteration)) return;
      } catch (e) {
        if (e instanceof LoopControl && e.kind === 'break') return;
        throw e;
      }
      if (r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  /** Runs the iterations; false when there was nothing to iterate (so {{else}} runs). */
  private rangeOver(val: unknown, nvars: number, one: (index: unknown, elem: unknown) => void): boolean {
    switch (kindOf(val)) {
      case 'slice': {
        const arr = Array.from(val as ArrayLike<unknown>);
        arr.forEach((e, i) => one(i, e));
        return arr.length > 0;
      }
      case 'map': {
        const entries = sortedEntries(val as object);
        for (const [k, v] of entries) one(k, v);
        return entries.length > 0;
      }
      case 'int': {
        if (nvars > 1) this.errorf(`can't use ${sprint([val])} to iterate over more than one variable`);
        const n = toNumber(val as number);
        for (let i = 0; i < n; i++) one(undefined, i);
        return n > 0;
      }
      case 'invalid': return false;
      default: this.errorf(`range can't iterate over ${sprint([val])}`);
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const root = this.set.trees.get(t.name);
    if (root === undefined) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = this.evalPipeline(dot, t.pipe);
    const saved = { vars: this.vars, name: this.tmplName };
    this.vars = [{ name: '$', value: newDot }];
    this.tmplName = t.name;
    this.depth++;
    try {
      this.walk(newDot, root);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.tmplName = saved.name;
    }
  }

  // Evaluation.
  private evalPipeline(dot: unknown, pipe: PipeNode | undefined): unknown {
    if (pipe === undefined) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0] as string, value);
      else this.push(v.ident[0] as string, value);
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0] as ArgNode)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as ArgNode;
    switch (first.type) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': this.errorf('nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    const hexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    const runeInt = n.text.startsWith("'");
    if (n.isFloat && !hexInt && !runeInt && /[.eEpP]/.test(n.text)) return n.float;
    if (n.isInt) return Number.isSafeInteger(Number(n.int)) ? Number(n.int) : n.int;
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: readonly ArgNode[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: readonly ArgNode[], final: Final): unknown {
    this.at(chain);
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, 'any', chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, variable: VariableNode, args: readonly ArgNode[], final: Final): unknown {
    this.at(variable);
    const value = this.varValue(variable.ident[0] as string);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: readonly string[], args: readonly ArgNode[], final: Final): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i] as string, node, [], MISSING, receiver);
    return this.evalField(dot, ident[n - 1] as string, node, args, final, receiver);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: readonly ArgNode[], final: Final): unknown {
    this.at(node);
    const def = this.funcs.get(node.ident);
    if (def === undefined) this.errorf(`${goQuote(node.ident)} is not a defined function`);
    return this.evalCall(dot, def, cmd, node.ident, args, final);
  }

  /**
   * .Name on a value: a function-valued member is called as a Go method with the
   * arguments; null (a nil map) and undefined (no value) yield no value; a struct
   * (class instance) without the member is an error.
   */
  private evalField(dot: unknown, name: string, node: Node, args: readonly ArgNode[], final: Final, receiver: unknown): unknown {
    if (this.missingKey === 'error') {
      if (receiver === undefined) this.errorf(`nil data; no entry for key ${goQuote(name)}`);
      if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    }
    if (receiver === undefined || receiver === null) return undefined;
    const hasArgs = args.length > 1 || final !== MISSING;
    if (kindOf(receiver) !== 'map') this.errorf(`can't evaluate field ${name} in type ${typeName(receiver)}`);
    const m = receiver as object;
    if (mapHas(m, name)) {
      const value = mapLookup(m, name);
      if (typeof value === 'function') {
        const fn = value as Fn;
        const def: FuncDef = { params: Array<ParamType>(fn.length).fill('any'), fn: (...a: never[]) => fn.apply(m, a) };
        return this.evalCall(dot, def, node, name, args, final);
      }
      if (hasArgs) this.errorf(isStruct(m) ? `${name} has arguments but cannot be invoked as function` : `${name} is not a method but has arguments`);
      return value;
    }
    if (isStruct(m)) this.errorf(`can't evaluate field ${name} in type ${typeName(m)}`);
    if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
    if (this.missingKey === 'error') this.errorf(`map has no entry for key ${goQuote(name)}`);
    if (this.missingKey === 'zero') return missingKeyValue(m);
    return undefined;
  }

  private evalCall(dot: unknown, def: FuncDef, node: Node, name: string, args: readonly ArgNode[], final: Final): unknown {
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    let numFixed = argNodes.length;
    if (def.variadic !== undefined) {
      numFixed = def.params.length;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${def.params.length} got ${argNodes.length}`);
    } else if (numIn !== def.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${def.params.length} got ${numIn}`);
    }
    if (def.shortCircuit !== undefined) {
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalArg(dot, 'value', a);
        if (isTrue(v) === (def.shortCircuit === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, 'value');
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) argv.push(this.evalArg(dot, def.params[i] as ParamType, argNodes[i] as ArgNode));
    if (def.variadic !== undefined) {
      for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, def.variadic, argNodes[i] as ArgNode));
    }
    if (final !== MISSING) {
      let t: ParamType;
      if (def.variadic !== undefined) t = numIn - 1 < numFixed ? (def.params[numIn - 1] as ParamType) : def.variadic;
      else t = def.params[def.params.length - 1] as ParamType;
      argv.push(this.validateType(final, t));
    }
    try {
      return (def.fn as Fn)(...argv);
    } catch (e) {
      if (e instanceof TemplateExecError || e instanceof LoopControl) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private validateType(value: unknown, t: ParamType): unknown {
    if (value === undefined) {
      if (t === 'value') return undefined;
      if (t === 'any') return null;
      this.errorf(`invalid value; expected ${goTypeName(t)}`);
    }
    const ok = t === 'value' || t === 'any'
      || (t === 'string' && typeof value === 'string')
      || (t === 'int' && isGoInt(value))
      || (t === 'bool' && typeof value === 'boolean');
    if (!ok) this.errorf(`wrong type for value; expected ${goTypeName(t)}; got ${typeName(value)}`);
    return t === 'int' ? toNumber(value as number) : value;
  }

  private evalArg(dot: unknown, t: ParamType, n: ArgNode): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot': return this.validateType(dot, t);
      case 'nil':
        if (t === 'value') return undefined;
        if (t === 'any') return null;
        this.errorf(`cannot assign nil to ${goTypeName(t)}`);
      case 'field': return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), t);
      case 'variable': return this.validateType(this.evalVariableNode(dot, n, [], MISSING), t);
      case 'pipe': return this.validateType(this.evalPipeline(dot, n), t);
      case 'identifier': return this.validateType(this.evalFunction(dot, n, n, [], MISSING), t);
      case 'chain': return this.validateType(this.evalChainNode(dot, n, [], MISSING), t);
    }
    switch (t) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return Number(n.int);
        this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      default:
        if (n.type === 'bool') return n.value;
        if (n.type === 'number') return this.idealConstant(n);
        return n.text;
    }
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (v === undefined) { this.out.push('<no value>'); return; }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    this.out.push(sprint([v]));
  }
}

export interface ExecResult {
  output: string;
  error?: TemplateExecError;
}

/** Go's missingkey option: what a map lookup of an absent key gives. */
export type MissingKey = 'default' | 'zero' | 'error';

/** Runs the named template of a set; on failure returns the partial output with the error. */
export function execute(set: ParsedSet, name: string, data: unknown, funcs: FuncMap, missingKey: MissingKey = 'default'): ExecResult {
  const state: State = new State(set, funcs, missingKey, name, data);
  const root: ListNode | undefined = set.trees.get(name);
  try {
    if (root === undefined) state.errorf(`${goQuote(name)} is an incomplete or empty template`);
    state.walk(data, root);
    return { output: state.output() };
  } catch (e) {
    if (e instanceof RangeError && /call stack/.test(e.message)) {
      const err = new TemplateExecError(`template: ${name}: exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
      err.partial = state.output();
      return { output: err.partial, error: err };
    }
    if (!(e instanceof TemplateExecError)) throw e;
    e.partial = state.output();
    return { output: e.partial, error: e };
  }
}
