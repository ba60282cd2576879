/** Node's setTimeout fires at once (with a warning) for delays past this. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * setTimeout for any delay: one past Node's limit (about 24.8 days) is waited for in steps
 * instead of firing at once. Returns the function that cancels it.
 */
export function setLongTimeout(fn: () => void, ms: number, opts: { unref?: boolean } = {}): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_TIMEOUT_MS ? arm(left - MAX_TIMEOUT_MS) : fn()), Math.min(Math.max(left, 0), MAX_TIMEOUT_MS));
    if (opts.unref) timer.unref();
  };
  arm(ms);
  return () => clearTimeout(timer);
}
