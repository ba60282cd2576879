import type { SystemDiskUsageResponse } from '../../api/types/index.js';
import { familiarName, parseNormalizedNamed } from '../../oci/index.js';
import { containerRow, CONTAINER_HEADERS } from './container.js';
import { renderRows } from './format.js';
import { IMAGE_HEADERS, imageRow, isDangling } from './image.js';
import { humanSize3, humanSize4 } from './text.js';

export const DEFAULT_DISK_USAGE_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const RAW_DISK_USAGE = 'type: {{.Type}}\ntotal: {{.TotalCount}}\nactive: {{.Active}}\nsize: {{.Size}}\nreclaimable: {{.Reclaimable}}\n';
const IMAGE_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const CONTAINER_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const VOLUME_TABLE = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';
const BUILD_CACHE_TABLE = 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';

export const DISK_USAGE_HEADERS: Record<string, string> = {
  Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE',
};
const VOLUME_HEADERS: Record<string, string> = { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' };
const BUILD_CACHE_HEADERS: Record<string, string> = {
  ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED',
};

/** "12.3MB (70%)": the reclaimable part and its whole percentage of the total, as the docker CLI prints it. */
function reclaimable(part: number, total: number): string {
  return total > 0 ? `${humanSize4(part)} (${Math.trunc((part * 100) / total)}%)` : humanSize4(part);
}

const ACTIVE_STATES = ['running', 'paused', 'restarting'];

/** The four summary rows of `system df` (docker's diskUsage*Context), keys in JSON order. */
export function diskUsageRows(du: SystemDiskUsageResponse): Array<Record<string, string>> {
  const images = du.Images ?? [];
  const layers = du.LayersSize ?? 0;
  let usedByContainers = 0;
  for (const i of images) if (i.Containers && i.Size !== -1 && i.SharedSize !== -1) usedByContainers += (i.Size ?? 0) - (i.SharedSize ?? 0);
  const containers = du.Containers ?? [];
  const active = (state: string | undefined): boolean => ACTIVE_STATES.some((s) => (state ?? '').includes(s));
  const rw = containers.reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const rwIdle = containers.filter((c) => !active(c.State)).reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const volumes = du.Volumes ?? [];
  const volSize = volumes.reduce((s, v) => s + (v.UsageData && v.UsageData.Size !== -1 ? v.UsageData.Size : 0), 0);
  const volIdle = volumes.filter((v) => v.UsageData?.RefCount === 0).reduce((s, v) => s + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const row = (type: string, total: number, act: number, size: number, recl: string): Record<string, string> => ({
    Active: String(act), Reclaimable: recl, Size: humanSize4(size), TotalCount: String(total), Type: type,
  });
  return [
    row('Images', images.length, images.filter((i) => (i.Containers ?? 0) > 0).length, layers, reclaimable(layers - usedByContainers, layers)),
    row('Containers', containers.length, containers.filter((c) => active(c.State)).length, rw, reclaimable(rwIdle, rw)),
    row('Local Volumes', volumes.length, volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, volSize, reclaimable(volIdle, volSize)),
    row('Build Cache', (du.BuildCache ?? []).length, 0, 0, humanSize4(0)),
  ];
}

/** `system df` without -v: the default table, raw, or the user's template over the summary rows. */
export function renderDiskUsage(du: SystemDiskUsageResponse, format: string): string {
  const f = format === '' || format === 'table' ? DEFAULT_DISK_USAGE_TABLE : format === 'raw' ? RAW_DISK_USAGE : format;
  return renderRows(f, diskUsageRows(du), DISK_USAGE_HEADERS);
}

/** `system df -v`: a table per kind, as docker's verbose disk usage template lays them out. */
export function renderDiskUsageVerbose(du: SystemDiskUsageResponse, now = Date.now()): string {
  const imageRows = (du.Images ?? []).map((img) => {
    let repo = '<none>';
    let tag = '<none>';
    if ((img.RepoTags ?? []).length > 0 && !isDangling(img)) {
      try {
        const ref = parseNormalizedNamed(img.RepoTags![0]!);
        if (ref.tag !== undefined) { repo = familiarName(ref); tag = ref.tag; }
      } catch { /* shown as <none> */ }
    }
    return imageRow(img, repo, tag, '<none>', true, now);
  });
  // The docker CLI's df shows the rw layer alone, without ps -s's "(virtual ...)".
  const containerRows = (du.Containers ?? []).map((c) => containerRow({ ...c, SizeRootFs: 0 }, { trunc: true, now }));
  const volumeRows = (du.Volumes ?? []).map((v) => ({
    Name: v.Name,
    Links: v.UsageData && v.UsageData.RefCount !== -1 ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData && v.UsageData.Size !== -1 ? humanSize3(v.UsageData.Size) : 'N/A',
  }));
  const table = (f: string, rows: readonly object[], h: Record<string, string>): string => renderRows(f, rows, h).replace(/\n$/, '');
  return `Images space usage:\n\n${table(IMAGE_TABLE, imageRows, IMAGE_HEADERS)}\n\n`
    + `Containers space usage:\n\n${table(CONTAINER_TABLE, containerRows, CONTAINER_HEADERS)}\n\n`
    + `Local Volumes space usage:\n\n${table(VOLUME_TABLE, volumeRows, VOLUME_HEADERS)}\n\n`
    + `Build cache usage: ${humanSize4(0)}\n\n${table(BUILD_CACHE_TABLE, [], BUILD_CACHE_HEADERS)}\n`;
}
