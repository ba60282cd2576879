export { RegistryClient, loginDomain, splitSearchTerm } from './client.js';
export { DEFAULT_CERTS_DIRS, DEFAULT_REGISTRY_OPTIONS, type Credentials, type RegistryOptions } from './options.js';
export type { SearchResult, SearchOptions } from './search.js';
export type { TransferEvent, RegistryImages, EventSink } from './types.js';
export { isInsecure, isLoopback, mirrorEndpoint } from './endpoint.js';
export { parseChallenges } from './auth.js';
export { buildManifest } from './push.js';
