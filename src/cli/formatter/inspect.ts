import { compileTemplate, executeTemplate, TemplateError } from './format.js';
import { jsonCompact, jsonIndent } from './json-text.js';

export interface InspectedObject {
  /** The daemon's JSON text, printed as is (re-indented) */
  raw: string;
  value: unknown;
}

export interface InspectResult {
  output: string;
  /** Per-ref failures, joined by newlines (exit 1), or a template error (exit 64) */
  errors: string[];
  exitCode: number;
}

/**
 * docker's inspect.Inspect: fetch every ref, then print them as an indented JSON array,
 * compact JSON (`--format json`), or one template line each. Failures are collected,
 * not fatal; an empty template output still prints a newline.
 */
export async function inspectRefs(refs: readonly string[], format: string, getRef: (ref: string) => Promise<InspectedObject>): Promise<InspectResult> {
  let tmpl: ReturnType<typeof compileTemplate> | undefined;
  if (format !== '' && format !== 'json') {
    try {
      tmpl = compileTemplate(format);
    } catch (e) {
      return { output: '', errors: [(e as Error).message], exitCode: 64 };
    }
  }
  const errors: string[] = [];
  const raws: string[] = [];
  let out = '';
  for (const ref of refs) {
    let obj: InspectedObject;
    try {
      obj = await getRef(ref);
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
      continue;
    }
    if (tmpl) {
      try {
        out += executeTemplate(tmpl, obj.value) + '\n';
      } catch (e) {
        errors.push(e instanceof TemplateError ? e.message : String(e));
      }
    } else raws.push(obj.raw.trim());
  }
  if (tmpl) {
    if (out === '') out = '\n';
  } else if (raws.length === 0) out = '[]\n';
  else {
    const arr = `[${raws.join(',')}]`;
    out = (format === 'json' ? jsonCompact(arr) : jsonIndent(arr)) + '\n';
  }
  return { output: out, errors, exitCode: errors.length > 0 ? 1 : 0 };
}
