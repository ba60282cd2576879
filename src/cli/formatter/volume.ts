import type { Volume } from '../../api/types/index.js';
import { humanSize4 } from './text.js';

export const DEFAULT_VOLUME_TABLE = 'table {{.Driver}}\t{{.Name}}';

export const VOLUME_HEADERS: Record<string, string> = {
  Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE',
};

/** The `volume ls` format for the given flags (docker's NewVolumeFormat). */
export function volumeFormat(source: string, quiet: boolean): string {
  if (source === 'table' || source === '') return quiet ? '{{.Name}}' : DEFAULT_VOLUME_TABLE;
  if (source === 'raw') return quiet ? 'name: {{.Name}}\n' : 'name: {{.Name}}\ndriver: {{.Driver}}\n';
  return source;
}

/** One row per volume, sorted by name as docker sorts them (natural order). */
export function volumeRows(volumes: readonly Volume[]): Record<string, unknown>[] {
  const sorted = [...volumes].sort((a, b) => a.Name.localeCompare(b.Name, 'en', { numeric: true }));
  return sorted.map((v) => ({
    Name: v.Name, Driver: v.Driver, Scope: v.Scope, Mountpoint: v.Mountpoint,
    Labels: Object.entries(v.Labels ?? {}).map(([k, x]) => `${k}=${x}`).join(','),
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData && v.UsageData.Size >= 0 ? humanSize4(v.UsageData.Size) : 'N/A',
  }));
}
