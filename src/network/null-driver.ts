import type { EndpointResult, NetworkDriver } from './driver.js';

/** `--network none`: an own namespace with only loopback, which the service brings up. */
export class NullDriver implements NetworkDriver {
  readonly name = 'null' as const;
  readonly netns = { loopbackUp: true };
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
