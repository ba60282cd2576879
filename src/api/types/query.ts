import { InvalidArgumentError } from '../../base/index.js';

/**
 * An integer query parameter as dockerd reads it (strconv.Atoi); 0 when absent or empty,
 * unless it is `required` (then "" is refused as Atoi refuses it).
 */
export function intQuery(q: URLSearchParams, name: string, opts: { required?: boolean } = {}): number {
  const v = q.get(name) ?? '';
  if (v === '' && !opts.required) return 0;
  if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}
