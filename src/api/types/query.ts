import { InvalidArgumentError } from '../../base/index.js';

/** An integer query parameter as dockerd reads it (strconv.Atoi); 0 when absent or empty. */
export function intQuery(q: URLSearchParams, name: string): number {
  const v = q.get(name);
  if (v === null || v === '') return 0;
  if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}
