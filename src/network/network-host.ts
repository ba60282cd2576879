import { addBridgePlaceholder, deleteLinkIn, enableHairpin, enableRouteLocalnet, ipv4Routes, udpSocketsOf, createNetns, deleteLink, deleteNetns, exec, isBridgePort, linkExists, netnsExists, wireVeth, type ExecOptions, type ExecResult, type VethWiring } from '../host/index.js';

/** The kernel and process side effects networking needs; tests pass a recording fake. */
export interface NetworkHost {
  exec(file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Returns a path that can be joined (OCI spec, netavark). */
  createNetns(name: string, opts: { loopbackUp?: boolean }): Promise<string>;
  deleteNetns(name: string): Promise<void>;
  netnsExists(name: string): Promise<boolean>;
  linkExists(name: string): Promise<boolean>;
  isBridgePort(bridge: string, port: string): Promise<boolean>;
  addBridgePlaceholder(opts: { name: string; bridge: string }): Promise<void>;
  deleteLink(name: string): Promise<void>;
  /** Delete an interface inside a named namespace (the container's end of a veth takes the pair with it). */
  deleteLinkIn(netns: string, name: string): Promise<void>;
  wireVeth(w: VethWiring): Promise<void>;
  /** net.ipv4.conf.<bridge>.route_localnet=1: DNAT of 127.0.0.1 may leave through the bridge. */
  enableRouteLocalnet(bridge: string): Promise<void>;
  /** Hairpin mode on a bridge port, named or found as the host end of an interface in a namespace. */
  enableHairpin(port: string | { netns: string; iface: string }): Promise<void>;
  /** The host's IPv4 routes ("a.b.c.d/n"), which a chosen subnet must not overlap. */
  ipv4Routes(): Promise<string[]>;
  /** Signal a process (aardvark-dns's reload); signal 0 checks that it exists. Throws as process.kill. */
  signalProcess(pid: number, signal: NodeJS.Signals): void;
  /** The inodes of the UDP sockets a process holds (aardvark-dns's listeners); empty when it is gone. */
  udpSockets(pid: number): Promise<Set<string>>;
}

export const realNetworkHost: NetworkHost = { exec, createNetns, deleteNetns, netnsExists, linkExists, isBridgePort, addBridgePlaceholder, deleteLink, deleteLinkIn, wireVeth, enableRouteLocalnet, enableHairpin, ipv4Routes: () => ipv4Routes(),
  signalProcess: (pid, signal) => { process.kill(pid, signal); },
  udpSockets: udpSocketsOf,
};
