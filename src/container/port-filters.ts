import { InvalidArgumentError } from '../base/index.js';
import { hasProcess, type ContainerRecord } from './config.js';

/** A `publish` or `expose` filter value ("80", "80/udp", "8000-8080/tcp") as the "port/proto" keys it names. */
function filterKeys(value: string): string[] {
  const [range = '', proto = 'tcp'] = value.split('/');
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(range);
  const start = m ? Number(m[1]) : NaN;
  const end = m?.[2] ? Number(m[2]) : start;
  if (!m || start < 1 || end > 65535 || end < start) throw new InvalidArgumentError(`invalid port filter: ${value}`);
  return Array.from({ length: end - start + 1 }, (_, i) => `${start + i}/${proto.toLowerCase()}`);
}

/** dockerd's `publish` filter: a host port the running container publishes. */
export function matchesPublish(r: ContainerRecord, values: ReadonlySet<string> | undefined): boolean {
  if (!values?.size) return true;
  const published = new Set(hasProcess(r.state) ? (r.network?.ports ?? []).map((m) => `${m.hostPort}/${m.protocol}`) : []);
  return [...values].some((v) => filterKeys(v).some((k) => published.has(k)));
}

/** dockerd's `expose` filter: a port the container's config exposes. */
export function matchesExpose(r: ContainerRecord, values: ReadonlySet<string> | undefined): boolean {
  if (!values?.size) return true;
  const exposed = new Set(Object.keys(r.config.ExposedPorts ?? {}).map((k) => (k.includes('/') ? k : `${k}/tcp`)));
  return [...values].some((v) => filterKeys(v).some((k) => exposed.has(k)));
}
