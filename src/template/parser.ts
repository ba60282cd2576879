/** The parser of Go's text/template, with its error texts ("template: :1: ..."). */
import { goQuote, goUnquote, goUnquoteChar, parseGoFloat, parseGoInt } from './go-strconv.js';
import { lex, tokenString } from './lexer.js';
import type { Token, TokenType } from './lexer.js';
import { isEmptyTree, nodeString } from './nodes.js';
import type {
  ActionNode, ArgNode, BranchNode, ChainNode, CommandNode, DelimNode, FieldNode, ListNode, Node, NumberNode,
  PipeNode, TemplateNode, VariableNode,
} from './nodes.js';

/** A template that does not parse; the message is Go's. */
export class TemplateParseError extends Error {}

export interface ParsedSet {
  /** Root list of every template by name; the top-level template is "". */
  trees: Map<string, ListNode>;
  /** The source text, for error positions. */
  text: string;
}

/** Per-tree parse state: each {{define}} and {{block}} starts a fresh one. */
interface TreeState { vars: string[]; rangeDepth: number; actionLine: number }

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

const OPERAND_START: ReadonlySet<TokenType> = new Set<TokenType>([
  'bool', 'charConstant', 'complex', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen',
]);

class Parser {
  private idx = 0;
  private furthest = 0;
  private tree: TreeState = { vars: ['$'], rangeDepth: 0, actionLine: 0 };
  readonly trees = new Map<string, ListNode>();

  constructor(private readonly tokens: Token[], private readonly hasFunction: (name: string) => boolean) {}

  private at(i: number): Token {
    const k = Math.min(i, this.tokens.length - 1);
    if (k > this.furthest) this.furthest = k;
    return this.tokens[k] as Token;
  }

  private next(): Token { return this.at(this.idx++); }
  private backup(): void { this.idx--; }
  private peek(): Token { return this.at(this.idx); }

  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next(); while (t.type === 'space');
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  errorf(message: string): never {
    const line = (this.tokens[this.furthest] as Token).line;
    throw new TemplateParseError(`template: :${line}: ${message}`);
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      let extra = '';
      if (this.tree.actionLine !== 0 && this.tree.actionLine !== t.line) {
        extra = ` in action started at :${this.tree.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(t.val + extra);
    }
    this.errorf(`unexpected ${tokenString(t)} in ${context}`);
  }

  private withTree<T>(fn: () => T): T {
    const saved = this.tree;
    this.tree = { vars: ['$'], rangeDepth: 0, actionLine: 0 };
    try { return fn(); } finally { this.tree = saved; }
  }

  private add(name: string, root: ListNode): void {
    const existing = this.trees.get(name);
    if (existing === undefined || isEmptyTree(existing)) { this.trees.set(name, root); return; }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${goQuote(name)}`);
  }

  /** The top level: like itemList, but also accepts {{define}}. */
  parse(): void {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const mark = this.idx;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.withTree(() => this.parseDefinition());
          continue;
        }
        this.idx = mark;
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    this.add('', root);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== 'string' && nameTok.type !== 'rawString') this.unexpected(nameTok, context);
    const name = this.unquote(nameTok.val);
    this.expect('rightDelim', context);
    const [root, end] = this.itemList();
    if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.add(name, root);
  }

  private unquote(lit: string): string {
    try { return goUnquote(lit); } catch (e) { this.errorf((e as Error).message); }
  }

  private itemList(): [ListNode, Node] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text': return { type: 'text', pos: t.pos, text: t.val };
      case 'leftDelim':
        this.tree.actionLine = t.line;
        try { return this.action(); } finally { this.tree.actionLine = 0; }
      default: this.unexpected(t, 'input');
    }
  }

  private action(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block': return this.blockControl();
      case 'break': case 'continue': return this.breakControl(t);
      case 'else': return this.elseControl();
      case 'end': return this.endControl();
      case 'if': return this.branch('if');
      case 'range': return this.branch('range');
      case 'template': return this.templateControl();
      case 'with': return this.branch('with');
    }
    this.backup();
    const start = this.peek();
    const node: ActionNode = { type: 'action', pos: start.pos, line: start.line, pipe: this.pipeline('command', 'rightDelim') };
    return node;
  }

  private breakControl(kw: Token): Node {
    const name = kw.type === 'break' ? 'break' : 'continue';
    const t = this.nextNonSpace();
    if (t.type !== 'rightDelim') this.unexpected(t, `{{${name}}}`);
    if (this.tree.rangeDepth === 0) this.errorf(`{{${name}}} outside {{range}}`);
    return { type: name, pos: kw.pos, line: kw.line };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const mark = this.idx;
      this.next();
      const nxt = this.peekNonSpace();
      if (nxt.type === 'assign' || nxt.type === 'declare') {
        pipe.isAssign = nxt.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.tree.vars.push(v.val);
        break;
      }
      if (nxt.type === 'char' && nxt.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.tree.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const k = this.peekNonSpace().type;
          if (k === 'variable' || k === 'rightDelim' || k === 'rightParen') continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      // Not a declaration: "$x" is the first operand.
      this.idx = mark;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      if (OPERAND_START.has(t.type)) {
        this.backup();
        pipe.cmds.push(this.command());
        continue;
      }
      this.unexpected(t, context);
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0]?.type;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private branch(context: 'if' | 'range' | 'with'): BranchNode {
    const varsLen = this.tree.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.tree.rangeDepth++;
      let list: ListNode;
      let next: Node;
      try { [list, next] = this.itemList(); } finally { if (context === 'range') this.tree.rangeDepth--; }
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        // {{else if ...}} and {{else with ...}} nest a branch that shares the single {{end}}.
        const k = this.peek().type;
        if ((context === 'if' && k === 'if') || (context === 'with' && k === 'with')) {
          this.next();
          elseList = { type: 'list', pos: next.pos, nodes: [this.branch(context)] };
        } else {
          [elseList, next] = this.itemList();
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { type: context, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
    } finally {
      this.tree.vars.length = varsLen;
    }
  }

  private endControl(): DelimNode {
    const t = this.expect('rightDelim', 'end');
    return { type: 'end', pos: t.pos, line: t.line };
  }

  private elseControl(): DelimNode {
    const p = this.peekNonSpace();
    if (p.type === 'if' || p.type === 'with') return { type: 'else', pos: p.pos, line: p.line };
    const t = this.expect('rightDelim', 'else');
    return { type: 'else', pos: t.pos, line: t.line };
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    return this.unquote(t.val);
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    this.withTree(() => {
      const [root, end] = this.itemList();
      if (end.type !== 'end') this.errorf(`unexpected ${nodeString(end)} in ${context}`);
      this.add(name, root);
    });
    return { type: 'template', pos: t.pos, line: t.line, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: t.pos, line: t.line, name, pipe };
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) cmd.args.push(op);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().type !== 'field') return node;
    const chain: ChainNode = { type: 'chain', pos: this.peek().pos, node, field: [] };
    while (this.peek().type === 'field') chain.field.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field': return { type: 'field', pos: chain.pos, ident: [...node.ident, ...chain.field] } satisfies FieldNode;
      case 'variable': return { type: 'variable', pos: chain.pos, ident: [...node.ident, ...chain.field] } satisfies VariableNode;
      case 'bool': case 'string': case 'number': case 'nil': case 'dot':
        this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
      default: return chain;
    }
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'error': this.errorf(t.val);
      case 'identifier':
        if (!this.hasFunction(t.val)) this.errorf(`function ${goQuote(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, ident: t.val };
      case 'dot': return { type: 'dot', pos: t.pos };
      case 'nil': return { type: 'nil', pos: t.pos };
      case 'variable': return this.useVar(t.pos, t.val);
      case 'field': return { type: 'field', pos: t.pos, ident: t.val.slice(1).split('.') };
      case 'bool': return { type: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'charConstant': case 'complex': case 'number': return this.newNumber(t);
      case 'leftParen': return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string': case 'rawString': return { type: 'string', pos: t.pos, quoted: t.val, text: this.unquote(t.val) };
    }
    this.backup();
    return undefined;
  }

  private newVariable(pos: number, name: string): VariableNode {
    return { type: 'variable', pos, ident: name.split('.') };
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.tree.vars.includes(v.ident[0] as string)) this.errorf(`undefined variable ${goQuote(v.ident[0] as string)}`);
    return v;
  }

  private newNumber(t: Token): NumberNode {
    const text = t.val;
    const n: NumberNode = { type: 'number', pos: t.pos, text, isInt: false, isUint: false, isFloat: false, int: 0n, float: 0 };
    if (t.type === 'charConstant') {
      let cp: number;
      try { cp = goUnquoteChar(text); } catch (e) { this.errorf((e as Error).message); }
      return { ...n, isInt: true, isUint: true, isFloat: true, int: BigInt(cp), float: cp };
    }
    if (t.type === 'complex' || (text.endsWith('i') && parseGoFloat(text.slice(0, -1)) !== undefined)) {
      this.errorf(`complex constant ${text} is not supported`);
    }
    const i = parseGoInt(text);
    if (i !== undefined) {
      if (i >= 0n && i <= UINT64_MAX) n.isUint = true;
      if (i >= INT64_MIN && i <= INT64_MAX) { n.isInt = true; n.int = i; }
    }
    if (n.isInt || n.isUint) {
      n.isFloat = true;
      n.float = Number(i);
      if (!n.isInt) n.int = i as bigint;
    } else {
      const f = parseGoFloat(text);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${goQuote(text)}`);
        n.isFloat = true;
        n.float = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) { n.isInt = true; n.int = BigInt(f); }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) n.isUint = true;
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${goQuote(text)}`);
    return n;
  }
}

/** Parses a template source into its named trees; throws TemplateParseError with Go's text. */
export function parse(text: string, hasFunction: (name: string) => boolean): ParsedSet {
  const { tokens } = lex(text, { breakOK: !hasFunction('break'), continueOK: !hasFunction('continue') });
  const p = new Parser(tokens, hasFunction);
  p.parse();
  return { trees: p.trees, text };
}
