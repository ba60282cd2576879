/** Parse tree of a template, shaped like Go's text/template/parse nodes. */
import { goQuote } from './go-strconv.js';

interface At { pos: number }

export interface TextNode extends At { type: 'text'; text: string }
export interface ActionNode extends At { type: 'action'; line: number; pipe: PipeNode }
export interface BranchNode extends At {
  type: 'if' | 'range' | 'with';
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | undefined;
}
export interface ListNode extends At { type: 'list'; nodes: Node[] }
export interface TemplateNode extends At { type: 'template'; line: number; name: string; pipe: PipeNode | undefined }
export interface BreakNode extends At { type: 'break' | 'continue'; line: number }
/** {{end}} and {{else}}: only seen while parsing. */
export interface DelimNode extends At { type: 'end' | 'else'; line: number }

export interface PipeNode extends At {
  type: 'pipe';
  line: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode extends At { type: 'command'; args: ArgNode[] }
export interface IdentifierNode extends At { type: 'identifier'; ident: string }
export interface VariableNode extends At { type: 'variable'; ident: string[] }
export interface FieldNode extends At { type: 'field'; ident: string[] }
export interface ChainNode extends At { type: 'chain'; node: ArgNode; field: string[] }
export interface DotNode extends At { type: 'dot' }
export interface NilNode extends At { type: 'nil' }
export interface BoolNode extends At { type: 'bool'; value: boolean }
export interface NumberNode extends At {
  type: 'number';
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int: bigint;
  float: number;
}
export interface StringNode extends At { type: 'string'; quoted: string; text: string }

export type ArgNode =
  | PipeNode | IdentifierNode | VariableNode | FieldNode | ChainNode | DotNode | NilNode | BoolNode | NumberNode | StringNode;
export type Node = TextNode | ActionNode | BranchNode | ListNode | TemplateNode | BreakNode | DelimNode | CommandNode | ArgNode;

function pipeString(p: PipeNode): string {
  let s = '';
  if (p.decl.length > 0) {
    s += p.decl.map(nodeString).join(', ');
    s += p.isAssign ? ' = ' : ' := ';
  }
  return s + p.cmds.map(nodeString).join(' | ');
}

/** The text Go's Node.String() gives, used in "executing ... at <...>" errors. */
export function nodeString(n: Node): string {
  switch (n.type) {
    case 'text': return n.text;
    case 'action': return `{{${pipeString(n.pipe)}}}`;
    case 'if': case 'range': case 'with':
      return `{{${n.type} ${pipeString(n.pipe)}}}${nodeString(n.list)}` +
        (n.elseList ? `{{else}}${nodeString(n.elseList)}` : '') + '{{end}}';
    case 'list': return n.nodes.map(nodeString).join('');
    case 'template': return n.pipe ? `{{template ${goQuote(n.name)} ${pipeString(n.pipe)}}}` : `{{template ${goQuote(n.name)}}}`;
    case 'break': return '{{break}}';
    case 'continue': return '{{continue}}';
    case 'end': return '{{end}}';
    case 'else': return '{{else}}';
    case 'pipe': return pipeString(n);
    case 'command': return n.args.map((a) => (a.type === 'pipe' ? `(${pipeString(a)})` : nodeString(a))).join(' ');
    case 'identifier': return n.ident;
    case 'variable': return n.ident.join('.');
    case 'field': return n.ident.map((f) => '.' + f).join('');
    case 'chain': return (n.node.type === 'pipe' ? `(${pipeString(n.node)})` : nodeString(n.node)) + n.field.map((f) => '.' + f).join('');
    case 'dot': return '.';
    case 'nil': return 'nil';
    case 'bool': return n.value ? 'true' : 'false';
    case 'number': return n.text;
    case 'string': return n.quoted;
  }
}

/** parse.IsEmptyTree: nothing but space. */
export function isEmptyTree(n: Node | undefined): boolean {
  if (n === undefined) return true;
  if (n.type === 'list') return n.nodes.every(isEmptyTree);
  if (n.type === 'text') return n.text.trim() === '';
  return false;
}
