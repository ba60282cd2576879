import type { ContainerSummary } from '../../api/types/index.js';
import { familiarString, parseNormalizedNamed } from '../../oci/index.js';
import { ago } from './duration.js';
import { displayablePorts } from './ports.js';
import { ellipsis, goQuote, goTimeString, humanSize3, truncateId } from './text.js';

export const DEFAULT_CONTAINER_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Names: 'NAMES', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED', Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Labels: 'LABELS',
  Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES', Networks: 'NETWORKS', Platform: 'PLATFORM',
};

/** The `ps` format for the given flags, as docker's NewContainerFormat picks it. */
export function containerFormat(source: string, opts: { quiet: boolean; size: boolean }): string {
  if (source === '' || source === 'table') {
    if (opts.quiet) return '{{.ID}}';
    return opts.size ? `${DEFAULT_CONTAINER_TABLE}\t{{.Size}}` : DEFAULT_CONTAINER_TABLE;
  }
  if (source === 'raw') {
    if (opts.quiet) return 'container_id: {{.ID}}';
    let f = 'container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n';
    if (opts.size) f += 'size: {{.Size}}\\n';
    return f;
  }
  return opts.quiet ? '{{.ID}}' : source;
}

function platformString(s: ContainerSummary): string | null {
  const p = s.ImageManifestDescriptor?.platform;
  if (!p) return null;
  return [p.os ?? '', p.architecture ?? '', ...(p.variant ? [p.variant] : [])].join('/');
}

function imageColumn(s: ContainerSummary, trunc: boolean): string {
  if (!s.Image) return '<no image>';
  if (!trunc) return s.Image;
  if (s.ImageID && truncateId(s.ImageID) === truncateId(s.Image)) return truncateId(s.Image);
  try {
    const ref = parseNormalizedNamed(s.Image);
    return familiarString(ref.tag !== undefined ? { domain: ref.domain, path: ref.path, tag: ref.tag } : { domain: ref.domain, path: ref.path });
  } catch {
    return s.Image;
  }
}

/** A `ps` row: docker's ContainerContext fields, in JSON key order, as strings. */
export function containerRow(s: ContainerSummary, opts: { trunc: boolean; now?: number }): Record<string, unknown> {
  const names = (s.Names ?? []).map((n) => n.slice(1));
  let shown = names;
  if (opts.trunc) {
    const plain = names.find((n) => !n.includes('/'));
    if (plain !== undefined) shown = [plain];
  }
  const labels = s.Labels ?? {};
  const mounts = (s.Mounts ?? []).map((m) => {
    const n = m.Name || m.Source || '';
    return opts.trunc ? ellipsis(n, 15) : n;
  });
  const srw = humanSize3(s.SizeRw ?? 0);
  const row: Record<string, unknown> = {
    Command: goQuote(opts.trunc ? ellipsis(s.Command ?? '', 20) : s.Command ?? ''),
    CreatedAt: goTimeString(s.Created ?? 0),
    ID: opts.trunc ? truncateId(s.Id ?? '') : s.Id ?? '',
    Image: imageColumn(s, opts.trunc),
    Labels: s.Labels ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(',') : '',
    LocalVolumes: String((s.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Mounts: mounts.join(','),
    Names: shown.join(','),
    Networks: Object.keys(s.NetworkSettings?.Networks ?? {}).join(','),
    Platform: platformString(s),
    Ports: displayablePorts(s.Ports),
    RunningFor: ago(s.Created ?? 0, opts.now),
    Size: (s.SizeRootFs ?? 0) > 0 ? `${srw} (virtual ${humanSize3(s.SizeRootFs!)})` : srw,
    State: s.State ?? '',
    Status: s.Status ?? '',
  };
  // `{{.Label "key"}}` is a method in docker; keep it out of `{{json .}}`.
  Object.defineProperty(row, 'Label', { value: (k: string) => labels[k] ?? '', enumerable: false });
  return row;
}

/** True when the format reads `.Size`, so `ps` must ask the daemon for sizes. */
export function formatUsesSize(format: string): boolean {
  // "json" itself is not a template, so docker does not see .Size in it; {{json .}} does.
  return /\.Size\b/.test(format) || /\{\{-?\s*json\s+\.\s*-?\}\}/.test(format);
}
