import type { NetworkRecord } from './types.js';

/** Settings of the default bridge network (daemon flags -b, --bip, --mtu). */
export interface DefaultBridgeConfig {
  /** Host interface, at most 15 characters. */
  name: string;
  subnet: string;
  gateway: string;
  mtu: number;
  /** --fixed-cidr: the subrange containers get addresses from. */
  ipRange?: string;
  /** --ip-masq (default true). */
  ipMasq?: boolean;
}

interface Identity {
  id: string;
  created: string;
}

const BASE = { scope: 'local', internal: false, attachable: false, enableIPv6: false, labels: {} } as const;

/** Docker's `bridge` network record, with the option keys `docker network inspect bridge` shows. */
export function bridgeNetwork(who: Identity, cfg: DefaultBridgeConfig): NetworkRecord {
  return {
    ...who, ...BASE, labels: {}, name: 'bridge', driver: 'bridge', enableIPv4: true, bridge: cfg.name,
    ipam: { driver: 'default', config: [{ subnet: cfg.subnet, gateway: cfg.gateway, ...(cfg.ipRange ? { ipRange: cfg.ipRange } : {}) }] },
    options: {
      'com.docker.network.bridge.default_bridge': 'true',
      'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': String(cfg.ipMasq !== false),
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': cfg.name,
      'com.docker.network.driver.mtu': String(cfg.mtu),
    },
  };
}

export function hostNetwork(who: Identity): NetworkRecord {
  return { ...who, ...BASE, labels: {}, name: 'host', driver: 'host', enableIPv4: false, bridge: '', ipam: { driver: 'default', config: [] }, options: {} };
}

export function noneNetwork(who: Identity): NetworkRecord {
  return { ...who, ...BASE, labels: {}, name: 'none', driver: 'null', enableIPv4: false, bridge: '', ipam: { driver: 'default', config: [] }, options: {} };
}
