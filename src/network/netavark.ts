import { errnoCode, InternalError } from '../base/index.js';
import { shieldedCommand, type ForwardingShield } from './forwarding-shield.js';
import type { NetworkHost } from './network-host.js';
import type { NetworkRecord, PortMapping } from './types.js';

// netavark's stdin protocol (containers/netavark src/network/types.rs, v1.4).

export interface NetavarkNetwork {
  dns_enabled: boolean;
  driver: string;
  id: string;
  internal: boolean;
  ipv6_enabled: boolean;
  name: string;
  network_interface?: string;
  options?: Record<string, string>;
  ipam_options?: Record<string, string>;
  subnets?: { subnet: string; gateway?: string }[];
  network_dns_servers?: string[];
}

export interface NetavarkPerNetworkOptions {
  interface_name: string;
  static_ips?: string[];
  static_mac?: string;
  aliases?: string[];
}

export interface NetavarkPortMapping {
  container_port: number;
  host_ip: string;
  host_port: number;
  protocol: string;
  range: number;
}

export interface NetavarkOptions {
  container_id: string;
  container_name: string;
  networks: Record<string, NetavarkPerNetworkOptions>;
  network_info: Record<string, NetavarkNetwork>;
  port_mappings?: NetavarkPortMapping[];
  dns_servers?: string[];
}

export interface NetavarkInterface {
  mac_address: string;
  subnets?: { ipnet: string; gateway?: string }[];
}

/** setup's answer: per network name, the interfaces it made inside the namespace. */
export type NetavarkStatus = Record<string, { interfaces?: Record<string, NetavarkInterface>; dns_server_ips?: string[] }>;

export interface NetavarkConfig {
  binary: string;
  /** Directory for aardvark-dns state (netavark's --config); a tmpfs such as the exec root. */
  configDir: string;
  /** aardvark-dns, which netavark starts for networks with DNS (its default path is podman's libexec). */
  aardvarkBinary?: string;
  /** Put first on netavark's PATH (--iptables=false: no-iptables.ts). */
  pathPrefix?: string;
  /** --ip-forward=false: netavark runs where its forwarding sysctl writes land in a file (forwarding-shield.ts). */
  forwardingShield?: ForwardingShield;
}

/** Translate a bridge network record and one endpoint into netavark's input. */
/**
 * The name netavark knows a network by. netavark names its firewall chains after it, so it must
 * be unique per daemon, not "bridge": two berthd (a test's and the host's) must never share chains.
 */
export function netavarkName(net: NetworkRecord): string {
  return `berth-${net.id.slice(0, 12)}`;
}

export function netavarkOptions(opts: {
  containerId: string;
  containerName: string;
  network: NetworkRecord;
  interfaceName: string;
  ip: string;
  /** The endpoint's IPv6 address on a network with IPv6. */
  ip6?: string;
  mac: string;
  portMappings?: readonly PortMapping[];
  /** The names the embedded DNS (aardvark-dns) answers for this endpoint, and where it forwards the rest; absent: no DNS. */
  dns?: { aliases: readonly string[]; servers?: readonly string[] };
}): NetavarkOptions {
  const net = opts.network;
  const name = netavarkName(net);
  const mtu = net.options['com.docker.network.driver.mtu'];
  return {
    container_id: opts.containerId,
    container_name: opts.containerName,
    networks: {
      [name]: {
        interface_name: opts.interfaceName, static_ips: opts.ip6 ? [opts.ip, opts.ip6] : [opts.ip], static_mac: opts.mac,
        ...(opts.dns?.aliases.length ? { aliases: [...opts.dns.aliases] } : {}),
      },
    },
    network_info: {
      [name]: {
        dns_enabled: Boolean(opts.dns),
        driver: 'bridge',
        id: net.id,
        internal: net.internal,
        ipv6_enabled: net.enableIPv6,
        name,
        network_interface: net.bridge,
        ...(mtu ? { options: { mtu } } : {}),
        subnets: net.ipam.config.filter((c) => net.enableIPv6 || !c.subnet.includes(':')).map((c) => ({ subnet: c.subnet, gateway: c.gateway })),
      },
    },
    ...(opts.dns?.servers?.length ? { dns_servers: [...opts.dns.servers] } : {}),
    ...(opts.portMappings?.length
      ? {
          port_mappings: opts.portMappings.map((p) => ({
            // netavark forwards every address when host_ip is empty; "0.0.0.0" would match only that address
            container_port: p.containerPort, host_ip: p.hostIp === '0.0.0.0' ? '' : p.hostIp, host_port: p.hostPort, protocol: p.protocol, range: p.range,
          })),
        }
      : {}),
  };
}

/** Runs the netavark binary; the JSON goes on stdin, errors come back as {"error": "..."} on stdout. */
export class Netavark {
  constructor(private readonly host: NetworkHost, private readonly cfg: NetavarkConfig) {}

  async setup(netnsPath: string, opts: NetavarkOptions): Promise<NetavarkStatus> {
    const out = await this.run('setup', netnsPath, opts);
    try {
      return JSON.parse(out) as NetavarkStatus;
    } catch {
      throw new InternalError(`Cannot read netavark setup output: ${out.slice(0, 200)}`);
    }
  }

  async teardown(netnsPath: string, opts: NetavarkOptions): Promise<void> {
    await this.run('teardown', netnsPath, opts);
  }

  private async run(verb: 'setup' | 'teardown', netnsPath: string, opts: NetavarkOptions): Promise<string> {
    const shield = this.cfg.forwardingShield;
    const aardvarkBinary = shield?.aardvark ?? this.cfg.aardvarkBinary;
    const args = [...(aardvarkBinary ? ['--aardvark-binary', aardvarkBinary] : []), '--config', this.cfg.configDir, verb, netnsPath];
    const cmd = shield ? shieldedCommand(shield, this.cfg.binary, args) : { file: this.cfg.binary, args };
    const r = await this.host.exec(cmd.file, cmd.args, {
      stdin: JSON.stringify(opts),
      env: withSbinPath(this.cfg.pathPrefix ? { ...process.env, PATH: `${this.cfg.pathPrefix}:${process.env.PATH ?? ''}` } : process.env),
      allowFailure: true,
    }).catch((e: unknown) => {
      if (errnoCode(e) === 'ENOENT') throw new InternalError(`Cannot run netavark: "${this.cfg.binary}" does not exist`, { cause: e });
      throw e;
    });
    if (r.code !== 0) throw new InternalError(`netavark ${verb} failed: ${netavarkError(r.stdout, r.stderr)}`);
    return r.stdout;
  }
}

function netavarkError(stdout: string, stderr: string): string {
  try {
    const doc = JSON.parse(stdout) as { error?: unknown };
    if (typeof doc.error === 'string') return doc.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return (stderr || stdout).trim() || 'no output';
}

/** netavark finds iptables through PATH; daemons started with a short PATH lack /usr/sbin. */
export function withSbinPath(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const parts = (env.PATH ?? '').split(':').filter(Boolean);
  for (const dir of ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (!parts.includes(dir)) parts.push(dir);
  return { ...env, PATH: parts.join(':') };
}
