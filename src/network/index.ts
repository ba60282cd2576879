export type { Attachment, AttachOptions, DriverName, EndpointConfig, IpamPoolConfig, NetworkMode, NetworkRecord, PortMapping } from './types.js';
export { NetworkService, DEFAULT_BRIDGE_NAME, DEFAULT_BRIDGE_SUBNET, DEFAULT_NETAVARK } from './network-service.js';
export type { NetworkServiceOptions, PendingAttachment } from './network-service.js';
export type { NetworkDriver, EndpointRequest, EndpointResult, EndpointRelease } from './driver.js';
export type { NetworkHost } from './network-host.js';
export { IpPool, type IpPoolState, type Lease } from './ipam.js';
export { buildHostsFile, parseExtraHost, HOST_GATEWAY } from './hosts-file.js';
export { parseResolvConf, transformForLegacyNetwork, renderResolvConf } from './resolv-conf.js';
export { keeperName } from './bridge-driver.js';
