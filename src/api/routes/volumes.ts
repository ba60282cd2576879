import { boolParam, parseFilters, type Filters } from '../../base/index.js';
import { VOLUME_LIST_FILTERS, VOLUME_PRUNE_FILTERS, type Volume as DomainVolume } from '../../volume/index.js';
import { decodeVolumeCreate, type Volume } from '../types/index.js';
import { compareVersions, empty, json, type Router } from '../server/index.js';

/** What the volume routes call (the volume service). */
export interface VolumeBackend {
  list(filters: Filters): DomainVolume[];
  get(name: string): DomainVolume;
  create(req: { name?: string; driver?: string; driverOpts?: Record<string, string> | null; labels?: Record<string, string> | null }): Promise<DomainVolume>;
  remove(name: string, opts: { force?: boolean }): Promise<void>;
  prune(filters: Filters, opts: { anonymousOnly: boolean }): Promise<{ deleted: string[]; spaceReclaimed: number }>;
}

/** /volumes: list, create, inspect, remove and prune, in Docker's shapes. */
export function volumeRoutes(r: Router, v: VolumeBackend): void {
  r.get('/volumes', (ctx) => {
    const filters = parseFilters(ctx.query.get('filters'), VOLUME_LIST_FILTERS);
    return json({ Volumes: v.list(filters).map(toVolume), Warnings: null });
  });

  r.post('/volumes/create', async (ctx) => {
    const body = (await ctx.body(decodeVolumeCreate)) ?? {};
    const vol = await v.create({ name: body.Name ?? '', driver: body.Driver ?? '', driverOpts: body.DriverOpts ?? null, labels: body.Labels ?? null });
    return json(toVolume(vol), 201);
  });

  r.post('/volumes/prune', async (ctx) => {
    const filters = parseFilters(ctx.query.get('filters'), VOLUME_PRUNE_FILTERS);
    // API 1.42 made prune take anonymous volumes only, unless the filter all=true.
    const { deleted, spaceReclaimed } = await v.prune(filters, { anonymousOnly: compareVersions(ctx.version, '1.42') >= 0 });
    return json({ VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: spaceReclaimed });
  });

  r.get('/volumes/{name}', (ctx) => json(toVolume(v.get(ctx.params.name!))));

  r.delete('/volumes/{name}', async (ctx) => {
    await v.remove(ctx.params.name!, { force: boolParam(ctx.query.get('force')) });
    return empty();
  });
}

export function toVolume(d: DomainVolume): Volume {
  return {
    CreatedAt: d.createdAt, Driver: d.driver, Labels: d.labels, Mountpoint: d.mountpoint, Name: d.name, Options: d.options, Scope: 'local',
  };
}
