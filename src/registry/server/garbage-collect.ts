import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isDigest, type Digest } from '../../base/index.js';
import { checkManifest } from './manifest-check.js';
import type { RegistryStorage } from './registry-storage.js';
import { readLink } from './storage/index.js';

export interface GcResult { marked: number; blobs: Digest[]; manifests: Array<{ name: string; digest: Digest }> }

/**
 * Mark and sweep, as `registry garbage-collect`: every blob a kept manifest names is marked;
 * blobs nobody marks are deleted. With `deleteUntagged`, manifests no tag reaches (directly, as
 * an index's child, or as a kept manifest's referrer) are deleted first. Run it while the registry
 * is stopped or read-only: a blob pushed while it runs, before its manifest, would be swept.
 */
export async function garbageCollect(s: RegistryStorage, opts: { dryRun: boolean; deleteUntagged: boolean; out: (line: string) => void }): Promise<GcResult> {
  const marked = new Set<Digest>();
  const doomedManifests: Array<{ name: string; digest: Digest }> = [];
  for (const name of await s.manifests.repositories()) {
    const revisions = await s.manifests.revisions(name);
    const bodies = new Map<Digest, Buffer>();
    for (const d of revisions) {
      const body = await readFile(s.layout.blobData(d)).catch(() => undefined);
      if (body) bodies.set(d, body);
    }
    const keep = opts.deleteUntagged ? await reachableFromTags(s, name, bodies) : new Set(bodies.keys());
    for (const d of revisions) {
      if (!keep.has(d)) {
        opts.out(`${name}: manifest eligible for deletion: ${d}`);
        doomedManifests.push({ name, digest: d });
        continue;
      }
      opts.out(`${name}: marking manifest ${d}`);
      marked.add(d);
      const body = bodies.get(d);
      if (!body) continue;
      for (const b of factsOf(body)?.blobs ?? []) {
        opts.out(`${name}: marking blob ${b.digest}`);
        marked.add(b.digest);
      }
    }
  }
  if (!opts.dryRun) for (const m of doomedManifests) await s.manifests.delete(m.name, m.digest);

  const doomedBlobs: Digest[] = [];
  for (const prefix of (await readdir(s.layout.blobsDir()).catch(() => [] as string[]))) {
    for (const hex of (await readdir(`${s.layout.blobsDir()}/${prefix}`).catch(() => [] as string[]))) {
      const d = `sha256:${hex}`;
      if (isDigest(d) && !marked.has(d)) doomedBlobs.push(d);
    }
  }
  opts.out(`\n${marked.size} blobs marked, ${doomedBlobs.length} blobs and ${doomedManifests.length} manifests eligible for deletion`);
  const doomed = new Set(doomedBlobs);
  for (const d of doomedBlobs) {
    opts.out(`blob eligible for deletion: ${d}`);
    if (!opts.dryRun) await s.blobs.remove(d);
  }
  if (!opts.dryRun && doomed.size > 0) {
    // Repositories stop claiming the blobs that are gone.
    for (const name of await s.manifests.repositories()) {
      for (const hex of (await readdir(s.layout.layersDir(name)).catch(() => [] as string[]))) {
        const d = `sha256:${hex}`;
        if (isDigest(d) && doomed.has(d) && (await readLink(s.layout.layerLink(name, d))) === d) await rm(dirname(s.layout.layerLink(name, d)), { recursive: true, force: true });
      }
    }
  }
  return { marked: marked.size, blobs: doomedBlobs, manifests: doomedManifests };
}

async function reachableFromTags(s: RegistryStorage, name: string, bodies: Map<Digest, Buffer>): Promise<Set<Digest>> {
  const keep = new Set<Digest>();
  const queue: Digest[] = [];
  for (const tag of await s.manifests.tags(name).catch(() => [] as string[])) {
    const d = await readLink(s.layout.tagCurrentLink(name, tag));
    if (d) queue.push(d);
  }
  const subjects = new Map<Digest, Digest[]>();
  for (const [d, body] of bodies) {
    const subject = factsOf(body)?.subject;
    if (subject) subjects.set(subject, [...(subjects.get(subject) ?? []), d]);
  }
  while (queue.length > 0) {
    const d = queue.pop()!;
    if (keep.has(d)) continue;
    keep.add(d);
    const body = bodies.get(d);
    if (body) queue.push(...(factsOf(body)?.manifests ?? []));
    queue.push(...(subjects.get(d) ?? []));
  }
  return keep;
}

function factsOf(body: Buffer): ReturnType<typeof checkManifest> | undefined {
  try {
    return checkManifest(body, undefined);
  } catch {
    return undefined;
  }
}
