import { InvalidArgumentError, boolParam, matchLabels, parseFilters, parseTimeValue, type Filters } from '../../base/index.js';
import type { EndpointSettings } from '../../container/index.js';
import type { NetworkCreateOptions, NetworkRecord } from '../../network/index.js';
import type { Network } from '../types/index.js';
import { empty, json, type Router } from '../server/index.js';

export interface NetworkBackend {
  list(): NetworkRecord[];
  get(idOrName: string): NetworkRecord;
  endpointsOf(networkId: string): Array<{ containerId: string; containerName: string; attachment: { endpointId: string; macAddress: string; ipAddress: string; ipPrefixLen: number; globalIPv6Address?: string; globalIPv6PrefixLen?: number } }>;
  create(req: NetworkCreateOptions): Promise<NetworkRecord>;
  remove(idOrName: string): Promise<void>;
  prune(keep: (rec: NetworkRecord) => boolean): Promise<string[]>;
}

/** What connect and disconnect need of the containers. */
export interface NetworkContainers {
  connectNetwork(ref: string, opts: { network: string; settings?: EndpointSettings }): Promise<void>;
  disconnectNetwork(ref: string, opts: { network: string; force?: boolean }): Promise<void>;
}

const LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];
const PRUNE_FILTERS = ['until', 'label', 'label!'];
const PREDEFINED = new Set(['bridge', 'host', 'none']);

/** The /networks endpoints (moby's api/server/router/network). */
export function networkRoutes(r: Router, n: NetworkBackend, containers?: NetworkContainers): void {
  r.get('/networks', (ctx) => {
    const filters = parseFilters(ctx.query.get('filters'), LIST_FILTERS);
    return json(n.list().filter((rec) => matchNetwork(rec, filters, () => n.endpointsOf(rec.id).length > 0)).map((rec) => toNetwork(rec)));
  });
  r.get('/networks/{id}', (ctx) => {
    const rec = n.get(ctx.params.id!);
    const containers = Object.fromEntries(n.endpointsOf(rec.id).map((e) => [e.containerId, {
      Name: e.containerName, EndpointID: e.attachment.endpointId, MacAddress: e.attachment.macAddress,
      IPv4Address: e.attachment.ipAddress ? `${e.attachment.ipAddress}/${e.attachment.ipPrefixLen}` : '',
      IPv6Address: e.attachment.globalIPv6Address ? `${e.attachment.globalIPv6Address}/${e.attachment.globalIPv6PrefixLen}` : '',
    }]));
    return json({ ...toNetwork(rec), Containers: containers });
  });
  r.post('/networks/create', async (ctx) => {
    const body = await ctx.body((text) => decodeCreate(text));
    if (!body) throw new InvalidArgumentError('network name must not be empty');
    const rec = await n.create(body);
    return json({ Id: rec.id, Warning: '' }, 201);
  });
  r.delete('/networks/{id}', async (ctx) => {
    await n.remove(ctx.params.id!);
    return empty();
  });
  r.post('/networks/prune', async (ctx) => {
    const filters = parseFilters(ctx.query.get('filters'), PRUNE_FILTERS);
    const until = [...(filters.get('until') ?? [])][0];
    const untilMs = until ? parseTimeValue(until) : undefined;
    const deleted = await n.prune((rec) => !matchLabels(rec.labels, filters.get('label'))
      || [...(filters.get('label!') ?? [])].some((l) => matchLabels(rec.labels, new Set([l])))
      || (untilMs !== undefined && Date.parse(rec.created) >= untilMs));
    return json({ NetworksDeleted: deleted.length ? deleted : null });
  });
  if (!containers) return;
  r.post('/networks/{id}/connect', async (ctx) => {
    const body = await ctx.body((text) => decodeObject(text, 'connect'));
    const ref = stringField(body, 'Container');
    if (!ref) throw new InvalidArgumentError('Container is required');
    const ep = body?.EndpointConfig;
    if (ep !== undefined && ep !== null && (typeof ep !== 'object' || Array.isArray(ep))) throw new InvalidArgumentError('EndpointConfig must be an object');
    await containers.connectNetwork(ref, { network: ctx.params.id!, ...(ep ? { settings: checkEndpointSettings(ep as Record<string, unknown>) } : {}) });
    return empty(200);
  });
  r.post('/networks/{id}/disconnect', async (ctx) => {
    const body = await ctx.body((text) => decodeObject(text, 'disconnect'));
    const ref = stringField(body, 'Container');
    if (!ref) throw new InvalidArgumentError('Container is required');
    const force = body?.Force;
    if (force !== undefined && typeof force !== 'boolean') throw new InvalidArgumentError('Force must be a boolean');
    await containers.disconnectNetwork(ref, { network: ctx.params.id!, force: force === true });
    return empty(200);
  });
}

function matchNetwork(rec: NetworkRecord, f: Filters, inUse: () => boolean): boolean {
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const vals = f.get(key);
    return !vals || [...vals].some(test);
  };
  return any('driver', (v) => rec.driver === v)
    && any('id', (v) => rec.id.includes(v))
    && any('name', (v) => rec.name.includes(v))
    && any('scope', (v) => rec.scope === v)
    && any('type', (v) => {
      if (v !== 'custom' && v !== 'builtin') throw new InvalidArgumentError(`invalid filter: 'type'='${v}'`);
      return (v === 'builtin') === PREDEFINED.has(rec.name);
    })
    && any('dangling', (v) => {
      const want = boolParam(v);
      return !PREDEFINED.has(rec.name) && inUse() !== want;
    })
    && matchLabels(rec.labels, f.get('label'));
}

export function toNetwork(rec: NetworkRecord): Network {
  return {
    Name: rec.name, Id: rec.id, Created: rec.created, Scope: rec.scope, Driver: rec.driver,
    EnableIPv4: rec.enableIPv4, EnableIPv6: rec.enableIPv6,
    IPAM: {
      Driver: rec.ipam.driver, Options: rec.ipam.options ?? null,
      Config: rec.ipam.config.map((c) => ({
        Subnet: c.subnet, ...(c.ipRange ? { IPRange: c.ipRange } : {}), ...(c.gateway ? { Gateway: c.gateway } : {}),
        ...(c.auxAddresses ? { AuxiliaryAddresses: c.auxAddresses } : {}),
      })),
    } as Network['IPAM'],
    Internal: rec.internal, Attachable: rec.attachable, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Options: rec.options, Labels: rec.labels, Containers: {},
  };
}

function decodeObject(text: string, what: string): Record<string, unknown> | undefined {
  if (!text.trim()) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`invalid JSON in network ${what} request`);
  }
  if (doc === null) return undefined;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new InvalidArgumentError(`invalid network ${what} request: expected a JSON object`);
  return doc as Record<string, unknown>;
}

function stringField(doc: Record<string, unknown> | undefined, key: string): string {
  const v = doc?.[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new InvalidArgumentError(`${key} must be a string`);
  return v;
}

function stringMap(v: unknown, key: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) throw new InvalidArgumentError(`${key} must be a map of strings`);
  return { ...(v as Record<string, string>) };
}

function boolField(doc: Record<string, unknown>, key: string): boolean | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${key} must be a boolean`);
  return v;
}

/** POST /networks/create's body, checked field by field (every byte from a client is hostile). */
export function decodeCreate(text: string): NetworkCreateOptions | undefined {
  const doc = decodeObject(text, 'create');
  if (!doc) return undefined;
  const ipamDoc = doc.IPAM;
  if (ipamDoc !== undefined && ipamDoc !== null && (typeof ipamDoc !== 'object' || Array.isArray(ipamDoc))) throw new InvalidArgumentError('IPAM must be an object');
  const ipam = (ipamDoc ?? {}) as Record<string, unknown>;
  const cfgList = ipam.Config;
  if (cfgList !== undefined && cfgList !== null && !Array.isArray(cfgList)) throw new InvalidArgumentError('IPAM.Config must be a list');
  const config = ((cfgList ?? []) as unknown[]).map((c) => {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new InvalidArgumentError('IPAM.Config entries must be objects');
    const o = c as Record<string, unknown>;
    const subnet = stringField(o, 'Subnet');
    const ipRange = stringField(o, 'IPRange');
    const gateway = stringField(o, 'Gateway');
    const aux = stringMap(o.AuxiliaryAddresses ?? o.AuxAddress, 'AuxiliaryAddresses');
    return { ...(subnet ? { subnet } : {}), ...(ipRange ? { ipRange } : {}), ...(gateway ? { gateway } : {}), ...(aux && Object.keys(aux).length ? { auxAddresses: aux } : {}) };
  });
  const ipamDriver = stringField(ipam, 'Driver');
  const ipamOptions = stringMap(ipam.Options, 'IPAM.Options');
  const driver = stringField(doc, 'Driver');
  const options = stringMap(doc.Options, 'Options');
  const labels = stringMap(doc.Labels, 'Labels');
  const internal = boolField(doc, 'Internal');
  const attachable = boolField(doc, 'Attachable');
  const enableIPv6 = boolField(doc, 'EnableIPv6');
  if (boolField(doc, 'Ingress')) throw new InvalidArgumentError('ingress networks need swarm mode: berth runs no ingress');
  if (boolField(doc, 'ConfigOnly')) throw new InvalidArgumentError('config-only networks are for swarm services: berth runs none');
  const scope = stringField(doc, 'Scope');
  if (scope && scope !== 'local') throw new InvalidArgumentError(`invalid scope "${scope}": berth's networks are local`);
  return {
    name: stringField(doc, 'Name'),
    ...(driver ? { driver } : {}),
    ...(internal !== undefined ? { internal } : {}),
    ...(attachable !== undefined ? { attachable } : {}),
    ...(enableIPv6 !== undefined ? { enableIPv6 } : {}),
    ipam: { ...(ipamDriver ? { driver: ipamDriver } : {}), config, ...(ipamOptions ? { options: ipamOptions } : {}) },
    ...(options ? { options } : {}),
    ...(labels ? { labels } : {}),
  };
}

function checkEndpointSettings(ep: Record<string, unknown>): EndpointSettings {
  const list = (k: string): string[] | undefined => {
    const v = ep[k];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InvalidArgumentError(`EndpointConfig.${k} must be a list of strings`);
    return v as string[];
  };
  const ipamDoc = ep.IPAMConfig;
  if (ipamDoc !== undefined && ipamDoc !== null && (typeof ipamDoc !== 'object' || Array.isArray(ipamDoc))) throw new InvalidArgumentError('EndpointConfig.IPAMConfig must be an object');
  const ipam = (ipamDoc ?? {}) as Record<string, unknown>;
  const v4 = stringField(ipam, 'IPv4Address');
  const v6 = stringField(ipam, 'IPv6Address');
  const aliases = list('Aliases');
  const links = list('Links');
  const mac = stringField(ep, 'MacAddress');
  const driverOpts = stringMap(ep.DriverOpts, 'EndpointConfig.DriverOpts');
  return {
    ...(v4 || v6 ? { IPAMConfig: { ...(v4 ? { IPv4Address: v4 } : {}), ...(v6 ? { IPv6Address: v6 } : {}) } } : {}),
    ...(aliases ? { Aliases: aliases } : {}),
    ...(links ? { Links: links } : {}),
    ...(mac ? { MacAddress: mac } : {}),
    ...(driverOpts ? { DriverOpts: driverOpts } : {}),
  };
}
