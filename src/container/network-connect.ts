import { ForbiddenError } from '../base/index.js';
import { hasProcess, type ContainerRecord, type EndpointSettings } from './config.js';
import type { ContainerCore } from './core.js';
import { toEndpointConfig } from './networking.js';

/**
 * `network connect`: a running container gets the endpoint at once; a stopped one keeps the
 * request in its NetworkingConfig and joins at its next start, as dockerd does.
 */
export async function connectNetwork(core: ContainerCore, ref: string, opts: { network: string; settings?: EndpointSettings }): Promise<void> {
  const { d } = core;
  const rec = d.store.get(ref);
  const net = d.network.network(opts.network);
  await core.mutex.run(rec.id, async () => {
    const mode = rec.hostConfig.NetworkMode;
    if (mode === 'host' || net.driver === 'host') throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
    if (mode === 'none' || mode.startsWith('container:') || net.driver === 'null') {
      throw new ForbiddenError(`container sharing network namespace with another container or host cannot be connected to any other network`);
    }
    const key = entryName(rec, net);
    if (key !== undefined && !hasProcess(rec.state)) throw new ForbiddenError(`endpoint with name ${rec.name} already exists in network ${net.name}`);
    const config = toEndpointConfig(opts.settings);
    if (hasProcess(rec.state)) {
      await d.network.connect({
        containerId: rec.id, containerName: rec.name, network: net.id, ...(config ? { config } : {}),
        ...(rec.hostConfig.Dns?.length ? { dnsServers: rec.hostConfig.Dns } : {}),
      });
      rec.networks = Object.fromEntries(d.network.attachments(rec.id).map((e) => [e.networkName, e.attachment]));
    }
    const endpoints = { ...(rec.networkingConfig?.EndpointsConfig ?? {}) };
    if (mode === 'bridge' && !Object.keys(endpoints).some((k) => ['bridge', 'default'].includes(k))) endpoints.bridge = {};
    endpoints[key ?? net.name] = { ...(opts.settings ?? {}) };
    rec.networkingConfig = { EndpointsConfig: endpoints };
    await d.store.save(rec);
  });
}

/** `network disconnect`: the endpoint goes now if it runs, and the network leaves the container's settings. */
export async function disconnectNetwork(core: ContainerCore, ref: string, opts: { network: string; force?: boolean }): Promise<void> {
  const { d } = core;
  const rec = d.store.get(ref);
  const net = d.network.network(opts.network);
  await core.mutex.run(rec.id, async () => {
    if (rec.hostConfig.NetworkMode === 'host' || net.driver === 'host') {
      throw new ForbiddenError('container cannot be disconnected from host network or connected to host network');
    }
    const key = entryName(rec, net);
    if (hasProcess(rec.state)) {
      await d.network.disconnect({ containerId: rec.id, network: net.id, ...(opts.force || key !== undefined ? { force: true } : {}) });
      rec.networks = Object.fromEntries(d.network.attachments(rec.id).map((e) => [e.networkName, e.attachment]));
    } else if (key === undefined && !opts.force) {
      throw new ForbiddenError(`container ${rec.id} is not connected to network ${net.name}`);
    }
    const endpoints = { ...(rec.networkingConfig?.EndpointsConfig ?? {}) };
    if (key !== undefined) delete endpoints[key];
    // the network the mode names goes too: the container then starts with none of its own
    if (isModeNetwork(rec, net)) rec.hostConfig.NetworkMode = Object.keys(endpoints)[0] ?? 'none';
    rec.networkingConfig = { EndpointsConfig: endpoints };
    await d.store.save(rec);
  });
}

/** The EndpointsConfig key naming `net` in the container's settings (or its mode), if any. */
function entryName(rec: ContainerRecord, net: { id: string; name: string }): string | undefined {
  const keys = Object.keys(rec.networkingConfig?.EndpointsConfig ?? {});
  const hit = keys.find((k) => k === net.name || k === net.id || (net.name === 'bridge' && k === 'default'));
  if (hit !== undefined) return hit;
  return isModeNetwork(rec, net) ? net.name : undefined;
}

function isModeNetwork(rec: ContainerRecord, net: { id: string; name: string }): boolean {
  const mode = rec.hostConfig.NetworkMode;
  return mode === net.name || mode === net.id || (net.name === 'bridge' && mode === 'default');
}
