import { readFileSync } from 'node:fs';
import { errnoCode } from '../base/index.js';
import { buildHostsFile } from './hosts-file.js';
import {
  chooseHostResolvConf, HOST_RESOLV_CONF, parseResolvConf, renderResolvConf, SYSTEMD_RESOLV_CONF, transformForLegacyNetwork,
} from './resolv-conf.js';
import type { NetworkMode } from './types.js';

export interface ContainerFilesOptions {
  /** Where the host's resolver and hosts files are (tests point elsewhere). */
  resolvConfPath?: string;
  systemdResolvConfPath?: string;
  hostsPath?: string;
}

export interface ResolvConfRequest {
  mode?: NetworkMode;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /**
   * The embedded resolver's addresses (user networks): they become the nameservers and the
   * host's (or --dns) servers are the ones it forwards to, as Docker's 127.0.0.11 does.
   */
  internalDns?: string[];
}

/** A container's /etc/hosts and /etc/resolv.conf, from the host's files and the container's settings. */
export class ContainerFiles {
  constructor(private readonly opts: ContainerFilesOptions) {}

  /**
   * The container's /etc/hosts (Docker's layout). In host mode without extra
   * hosts it is the host's own file, as Docker does.
   */
  hostsFile(opts: { hostname: string; domainname?: string; ip?: string; extraHosts?: string[]; mode?: NetworkMode; hostGateway?: string }): string {
    if (opts.mode === 'host' && !opts.extraHosts?.length) {
      const text = readOptional(this.opts.hostsPath ?? '/etc/hosts');
      if (text !== undefined) return text;
    }
    return buildHostsFile(opts);
  }

  /**
   * The container's /etc/resolv.conf, from the host's (systemd-resolved's upstream
   * list when the host file only names its stub). Outside host mode, loopback and
   * IPv6 nameservers are dropped and Docker's 8.8.8.8 / 8.8.4.4 fill an empty list;
   * on a network with an embedded resolver, the resolver is the only nameserver.
   */
  resolvConf(opts: ResolvConfRequest = {}): string {
    const hostPath = this.opts.resolvConfPath ?? HOST_RESOLV_CONF;
    const hostText = readOptional(hostPath);
    let sourcePath = hostPath;
    let text = hostText;
    if (chooseHostResolvConf(hostText) === 'systemd') {
      sourcePath = this.opts.systemdResolvConfPath ?? SYSTEMD_RESOLV_CONF;
      text = readOptional(sourcePath);
    }
    let rc = parseResolvConf(text ?? '');
    const ndotsFromHost = rc.options.some((o) => o.startsWith('ndots:'));
    const overrides = { nameservers: Boolean(opts.dns?.length), search: Boolean(opts.dnsSearch?.length), options: Boolean(opts.dnsOptions?.length) };
    if (overrides.nameservers) rc = { ...rc, nameservers: [...opts.dns!] };
    if (overrides.search) rc = { ...rc, search: opts.dnsSearch!.filter((s) => s !== '.') };
    if (overrides.options) rc = { ...rc, options: [...opts.dnsOptions!] };
    const ndots = ndotsFromHost && !overrides.options;
    if (opts.mode === 'host') return renderResolvConf({ rc, sourcePath, overrides, ndotsFromHost: ndots });
    if (opts.internalDns?.length) {
      const extServers = rc.nameservers;
      return renderResolvConf({ rc: { ...rc, nameservers: [...opts.internalDns] }, sourcePath, overrides, ndotsFromHost: ndots, extServers });
    }
    let usedDefaults = false;
    if (!overrides.nameservers) ({ rc, usedDefaults } = transformForLegacyNetwork(rc, { ipv6: false }));
    return renderResolvConf({ rc, sourcePath, transform: 'legacy', usedDefaults, overrides, ndotsFromHost: ndots });
  }

  /** The host's nameservers an embedded resolver forwards to (after --dns, which replaces them). */
  upstreamServers(dns?: string[]): string[] {
    if (dns?.length) return [...dns];
    const hostPath = this.opts.resolvConfPath ?? HOST_RESOLV_CONF;
    let text = readOptional(hostPath);
    if (chooseHostResolvConf(text) === 'systemd') text = readOptional(this.opts.systemdResolvConfPath ?? SYSTEMD_RESOLV_CONF);
    return parseResolvConf(text ?? '').nameservers;
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}
