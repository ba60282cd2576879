import { goQuote } from '../base/index.js';

export { formatGoDuration } from '../base/index.js';

/** Go's `%q` of a []string: `["a" "b"]`, as moby writes commands into history. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => goQuote(s)).join(' ')}]`;
}
