import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const QUIET_MS = 5_000;

/**
 * After a burst of work, V8 keeps the heap it grew for it; a daemon that then idles for hours
 * should not. Once the API has been quiet for a few seconds after activity, collect garbage fully
 * so that the heap (and with it the RSS) shrinks back.
 */
export function idleCollector(): { touch(): void; stop(): void } {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  let last = 0;
  let dirty = false;
  const timer = setInterval(() => {
    if (dirty && Date.now() - last >= QUIET_MS) {
      dirty = false;
      gc?.();
    }
  }, QUIET_MS);
  timer.unref();
  return {
    touch() {
      last = Date.now();
      dirty = true;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
