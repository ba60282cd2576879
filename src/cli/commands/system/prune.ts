import type { ContainerPruneResponse, ImagePruneResponse } from '../../../api/types/index.js';
import { formatFilters } from '../../../base/index.js';
import type { Cli } from '../../cli.js';
import type { FlagSet } from '../../flags/index.js';
import { humanSize4 } from '../../formatter/text.js';
import { confirm, pruneFilters } from '../common.js';

export function flags(fs: FlagSet) {
  return {
    all: fs.bool('all', 'a', false, 'Remove all unused images not just dangling ones'),
    filter: fs.filter('filter', '', 'Provide filter values (e.g. "label=<key>=<value>")'),
    force: fs.bool('force', 'f', false, 'Do not prompt for confirmation'),
    volumes: fs.bool('volumes', '', false, 'Prune anonymous volumes'),
  };
}

/** docker's confirmation: what goes, and the filters that narrow it (label, label!, until). */
export function confirmationMessage(o: { all: boolean; volumes: boolean }, filters: Record<string, string[]>): string {
  const warnings = ['all stopped containers', 'all networks not used by at least one container'];
  if (o.volumes) warnings.push('all anonymous volumes not used by at least one container');
  warnings.push(o.all ? 'all images without at least one container associated to them' : 'all dangling images');
  warnings.push(o.all ? 'all build cache' : 'unused build cache');
  const shown: string[] = [];
  for (const name of ['label', 'label!', 'until']) for (const v of filters[name] ?? []) shown.push(`${name}=${v}`);
  shown.sort();
  let msg = `WARNING! This will remove:\n${warnings.map((w) => `  - ${w}\n`).join('')}`;
  if (shown.length) msg += `\n  Items to be pruned will be filtered with:\n${shown.map((f) => `  - ${f}\n`).join('')}`;
  return `${msg}\nAre you sure you want to continue?`;
}

/** docker system prune: containers, networks, (anonymous volumes), images, build cache, each through its own prune. */
export async function run(cli: Cli, o: ReturnType<typeof flags>, _args: string[]): Promise<void> {
  const filters = await pruneFilters(cli, o.filter.get);
  if (!o.force.get && !(await confirm(cli, confirmationMessage({ all: o.all.get, volumes: o.volumes.get }, filters)))) return;
  const client = await cli.client();
  const q = (f: Record<string, string[]>): { filters?: string } => (Object.keys(f).length ? { filters: formatFilters(f) } : {});
  let reclaimed = 0;
  const section = async (title: string, lines: string[], space: number): Promise<void> => {
    reclaimed += space;
    if (lines.length) await cli.print(`${title}:\n${lines.map((l) => `${l}\n`).join('')}\n`);
  };
  const c = await client.json<ContainerPruneResponse>('/containers/prune', { method: 'POST', query: q(filters) });
  await section('Deleted Containers', c.ContainersDeleted ?? [], c.SpaceReclaimed ?? 0);
  const n = await client.json<{ NetworksDeleted?: string[] | null }>('/networks/prune', { method: 'POST', query: q(filters) });
  await section('Deleted Networks', n.NetworksDeleted ?? [], 0);
  if (o.volumes.get) {
    const v = await client.json<{ VolumesDeleted?: string[] | null; SpaceReclaimed?: number }>('/volumes/prune', { method: 'POST', query: q(filters) });
    await section('Deleted Volumes', v.VolumesDeleted ?? [], v.SpaceReclaimed ?? 0);
  }
  const imageFilters = { ...filters, dangling: [String(!o.all.get)] };
  const i = await client.json<ImagePruneResponse>('/images/prune', { method: 'POST', query: q(imageFilters) });
  await section('Deleted Images', (i.ImagesDeleted ?? []).map((d) => (d.Untagged ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`)), i.SpaceReclaimed ?? 0);
  const b = await client.json<{ CachesDeleted?: string[] | null; SpaceReclaimed?: number }>('/build/prune', { method: 'POST', query: { ...q(filters), ...(o.all.get ? { all: true } : {}) } });
  await section('Deleted build cache objects', b.CachesDeleted ?? [], b.SpaceReclaimed ?? 0);
  await cli.print(`Total reclaimed space: ${humanSize4(reclaimed)}\n`);
}
