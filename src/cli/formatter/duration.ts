import { humanDuration } from '../../base/units.js';

export { humanDuration };

/** "3 seconds ago" for a unix time, as `ps` and `images` print CREATED. */
export function ago(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}
