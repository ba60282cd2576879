import type { NetworkRecord } from '../../network/index.js';
import type { Network } from '../types/index.js';
import { json, type Router } from '../server/index.js';

export interface NetworkBackend {
  list(): NetworkRecord[];
  get(idOrName: string): NetworkRecord;
  endpointsOf(networkId: string): Array<{ containerId: string; containerName: string; attachment: { endpointId: string; macAddress: string; ipAddress: string; ipPrefixLen: number } }>;
}

/** Read side of networks (the predefined bridge, host and none); create/connect come with user networks. */
export function networkRoutes(r: Router, n: NetworkBackend): void {
  r.get('/networks', () => json(n.list().map((rec) => toNetwork(rec))));
  r.get('/networks/{id}', (ctx) => {
    const rec = n.get(ctx.params.id!);
    const containers = Object.fromEntries(n.endpointsOf(rec.id).map((e) => [e.containerId, {
      Name: e.containerName, EndpointID: e.attachment.endpointId, MacAddress: e.attachment.macAddress,
      IPv4Address: e.attachment.ipAddress ? `${e.attachment.ipAddress}/${e.attachment.ipPrefixLen}` : '', IPv6Address: '',
    }]));
    return json({ ...toNetwork(rec), Containers: containers });
  });
}

function toNetwork(rec: NetworkRecord): Network {
  return {
    Name: rec.name, Id: rec.id, Created: rec.created, Scope: rec.scope, Driver: rec.driver,
    EnableIPv4: rec.enableIPv4, EnableIPv6: rec.enableIPv6,
    IPAM: { Driver: rec.ipam.driver, Options: {}, Config: rec.ipam.config.map((c) => ({ Subnet: c.subnet, Gateway: c.gateway })) } as Network['IPAM'],
    Internal: rec.internal, Attachable: rec.attachable, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Options: rec.options, Labels: rec.labels, Containers: {},
  };
}
