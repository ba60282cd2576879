/** How the daemon reaches registries (daemon.json's registry keys plus berth's certs.d roots). */
export interface RegistryOptions {
  /** `registry-mirrors`: tried in order for docker.io pulls before Docker Hub itself. */
  mirrors: string[];
  /** `insecure-registries`: hosts (`host:port`) and CIDRs where plain HTTP is allowed. */
  insecure: string[];
  /** certs.d roots: `<root>/<host:port>/{*.crt, *.cert, *.key}`. */
  certsDirs: string[];
  /** `max-concurrent-downloads` and `max-concurrent-uploads` (3 each, as Docker). */
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  /** `max-download-attempts` per blob (5, as Docker). */
  maxDownloadAttempts: number;
}

export const DEFAULT_CERTS_DIRS = ['/etc/berth/certs.d', '/etc/docker/certs.d'];

export const DEFAULT_REGISTRY_OPTIONS: RegistryOptions = {
  mirrors: [], insecure: [], certsDirs: DEFAULT_CERTS_DIRS, maxConcurrentDownloads: 3, maxConcurrentUploads: 3, maxDownloadAttempts: 5,
};

/** Credentials as the Engine API passes them (X-Registry-Auth, POST /auth). */
export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth refresh token a previous login returned. */
  identityToken?: string;
  /** A bearer token to send as is. */
  registryToken?: string;
}

/** Docker Hub's names: references say docker.io, the API lives at registry-1.docker.io. */
export const DOCKER_HUB_DOMAIN = 'docker.io';
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
export const DOCKER_HUB_INDEX = 'https://index.docker.io/v1/';
