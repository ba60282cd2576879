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
    const before = rec.networkingConfig;
    const endpoints = { ...(rec.networkingConfig?.EndpointsConfig ?? {}) };
    if (mode === 'bridge' && !Object.keys(endpoints).some((k) => ['bridge', 'default'].includes(k))) endpoints.bridge = {};
    endpoints[key ?? net.name] = { ...(opts.settings ?? {}) };
    rec.networkingConfig = { EndpointsConfig: endpoints };
    if (!hasProcess(rec.state)) {
      await d.store.save(rec);
      return;
    }
    await alongside(core, rec, () => d.network.connect({
      containerId: rec.id, containerName: rec.name, network: net.id, ...(config ? { config } : {}),
      ...(rec.hostConfig.Dns?.length ? { dnsServers: rec.hostConfig.Dns } : {}),
    }), () => { rec.networkingConfig = before; });
  });
}

/**
 * Run the endpoint change `fn` of a running container while its new settings, which outlive a
 * reboot, are written durably: the two are independent, and each costs milliseconds of waiting
 * for the kernel or the disk. Then the live endpoints (`networks`, which no reboot keeps) are
 * written without fsync (docs/decisions/0014). If `fn` fails, `restore` puts the settings back and
 * they are written again. A kill -9 in between leaves settings the next start honours, no endpoint.
 */
async function alongside(core: ContainerCore, rec: ContainerRecord, fn: () => Promise<unknown>, restore: () => void): Promise<void> {
  const { d } = core;
  const saved = d.store.save(rec);
  try {
    await fn();
  } catch (e) {
    await saved.catch(() => {});
    restore();
    await d.store.save(rec);
    throw e;
  }
  rec.networks = Object.fromEntries(d.network.attachments(rec.id).map((e) => [e.networkName, e.attachment]));
  await saved;
  await d.store.save(rec, { durable: false });
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
    const live = hasProcess(rec.state);
    if (!live && key === undefined && !opts.force) throw new ForbiddenError(`container ${rec.id} is not connected to network ${net.name}`);
    const before = { config: rec.networkingConfig, mode: rec.hostConfig.NetworkMode };
    const endpoints = { ...(rec.networkingConfig?.EndpointsConfig ?? {}) };
    if (key !== undefined) delete endpoints[key];
    // the network the mode names goes too: the container then starts with none of its own
    if (isModeNetwork(rec, net)) rec.hostConfig.NetworkMode = Object.keys(endpoints)[0] ?? 'none';
    rec.networkingConfig = { EndpointsConfig: endpoints };
    if (!live) {
      await d.store.save(rec);
      return;
    }
    await alongside(core, rec, () => d.network.disconnect({ containerId: rec.id, network: net.id, ...(opts.force || key !== undefined ? { force: true } : {}) }), () => {
      rec.networkingConfig = before.config;
      rec.hostConfig.NetworkMode = before.mode;
    });
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
