import type { EndpointResult, NetworkDriver } from './driver.js';

/** `--network host`: no namespace, nothing to wire. */
export class HostDriver implements NetworkDriver {
  readonly name = 'host' as const;
  readonly netns = undefined;
  readonly needsAddress = false;

  plan(): unknown {
    return undefined;
  }

  connect(): Promise<EndpointResult> {
    return Promise.resolve({ macAddress: '' });
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
