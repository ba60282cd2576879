import { BUILD_INFO } from '../../../base/index.js';
import { CLIENT_API_VERSION } from '../../../client/index.js';
import { CLI_GIT_COMMIT, CLI_VERSION } from '../../cli.js';

/** GOARCH-style name of this machine's architecture. */
export function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return map[process.arch] ?? process.arch;
}

/** docker's clientVersion, filled with berth's facts (GoVersion carries the Node version). */
export function clientVersion(apiVersion: string | undefined): Record<string, unknown> {
  return {
    Platform: null,
    Version: CLI_VERSION,
    ApiVersion: apiVersion ?? '',
    DefaultAPIVersion: CLIENT_API_VERSION,
    GitCommit: CLI_GIT_COMMIT,
    GoVersion: process.version,
    Os: process.platform,
    Arch: goArch(),
    BuildTime: BUILD_INFO.time,
    Context: 'default',
  };
}

/** The client version as docker's JSON carries it: empty fields left out (omitempty), Context kept. */
export function clientVersionJson(cv: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cv).filter(([k, v]) => k === 'Context' || (v !== '' && v !== null)));
}
