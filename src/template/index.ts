export { parseTemplate, TemplateExecError } from './template.js';
export type { Template, TemplateOptions } from './template.js';
export type { MissingKey } from './exec.js';
export { splitTableFormat, renderTable, formatRows, marshalRowJson } from './table.js';
export { TabWriter } from './tabwriter.js';
export type { TabWriterOptions } from './tabwriter.js';
export { marshalGoJson, marshalJsonHook } from './go-json.js';
export { sprint, sprintf, sprintln } from './go-fmt.js';
