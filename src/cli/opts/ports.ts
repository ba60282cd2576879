import type { PortBinding } from '../../api/types/index.js';

/** go-connections' SplitProtoPort: "80/udp" → ["udp", "80"]; no protocol means tcp. */
export function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

/** "80" or "8000-8010" → [start, end]. */
export function parsePortRange(s: string): [number, number] {
  if (s === '') throw new Error('empty string specified for ports');
  const dash = s.indexOf('-');
  const num = (x: string): number => {
    if (!/^\d+$/.test(x) || Number(x) > 65535) throw new Error(`invalid port: ${x}`);
    return Number(x);
  };
  if (dash < 0) {
    const p = num(s);
    return [p, p];
  }
  const a = num(s.slice(0, dash));
  const b = num(s.slice(dash + 1));
  if (b < a) throw new Error(`invalid range specified for port: ${s}`);
  return [a, b];
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0]!, container];
  if (n === 3) return [parts[0]!, parts[1]!, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, container];
}

function validIp(ip: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.split('.').every((x) => Number(x) <= 255);
  return /^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(':');
}

export interface PortSpecs {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, PortBinding[]>;
}

/** go-connections' ParsePortSpecs: `-p [ip:][hostPort:]containerPort[/proto]`, ranges allowed. */
export function parsePortSpecs(specs: readonly string[]): PortSpecs {
  const exposed: PortSpecs['exposed'] = {};
  const bindings: PortSpecs['bindings'] = {};
  for (const raw of specs) {
    let [ip, hostPort, containerPart] = splitParts(raw);
    let [proto, containerPort] = splitProtoPort(containerPart);
    if (ip.startsWith('[')) {
      const close = ip.indexOf(']');
      if (close < 0 || close !== ip.length - 1) throw new Error(`invalid IP address ${ip}: address ${ip}:: missing port in address`);
      ip = ip.slice(1, close);
    }
    if (ip !== '' && !validIp(ip)) throw new Error(`invalid IP address: ${ip}`);
    if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);
    let start: number;
    let end: number;
    try {
      [start, end] = parsePortRange(containerPort);
    } catch {
      throw new Error(`invalid containerPort: ${containerPort}`);
    }
    let hStart = 0;
    let hEnd = 0;
    if (hostPort !== '') {
      try {
        [hStart, hEnd] = parsePortRange(hostPort);
      } catch {
        throw new Error(`invalid hostPort: ${hostPort}`);
      }
    }
    if (hostPort !== '' && end - start !== hEnd - hStart && end !== start) {
      throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
    proto = proto.toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid proto: ${proto}`);
    const count = end - start + 1;
    for (let i = 0; i < count; i++) {
      const key = `${start + i}/${proto}`;
      let hp = '';
      if (hostPort !== '') {
        hp = String(hStart + i);
        if (count === 1 && hStart !== hEnd) hp += `-${hEnd}`;
      }
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: ip, HostPort: hp });
    }
  }
  return { exposed, bindings };
}

/** docker's long `-p` syntax ("published=80,target=8080,protocol=udp") to the short one. */
export function toStandardPortNotation(specs: readonly string[]): string[] {
  return specs.map((p) => {
    if (!p.includes('=')) return p;
    const params: Record<string, string> = { protocol: 'tcp' };
    for (const kv of p.split(',')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${kv}')`);
      params[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
  });
}
