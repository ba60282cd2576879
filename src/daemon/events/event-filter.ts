import type { Filters, StampedEvent } from '../../base/index.js';
import { familiarName, parseNormalizedNamed } from '../../oci/index.js';

/** Actions a filter value names only by prefix, as dockerd reads them ("exec_start" matches "exec_start: sh"). */
const PREFIX_ACTIONS = new Set(['health_status', 'exec_create', 'exec_start']);

/**
 * dockerd's event filter (daemon/events/filter.go): every named filter must match. Within one
 * filter any value may: `type`, `event` and `scope` exactly; the per-object filters
 * (`container`, `network`, ...) by the actor's ID or name attribute, exactly or as a prefix,
 * whatever the event's type; `image` by ID or name, with or without tag; `label` needs every
 * `key` or `key=value` among the attributes.
 */
export function eventMatches(ev: StampedEvent, f: Filters): boolean {
  if (f.size === 0) return true;
  const fuzzyEvent = [...(f.get('event') ?? [])].some((v) => PREFIX_ACTIONS.has(v));
  if (!(fuzzyEvent ? fuzzy(f, 'event', ev.action) : exact(f, 'event', ev.action))) return false;
  if (!exact(f, 'type', ev.type)) return false;
  if (f.has('scope') && !exact(f, 'scope', ev.scope)) return false;
  for (const t of ['daemon', 'container', 'plugin', 'volume', 'network', 'node', 'service', 'secret', 'config'] as const) {
    if (!fuzzy(f, t, ev.actor.id) && !fuzzy(f, t, ev.actor.attributes.name ?? '')) return false;
  }
  if (!matchImage(ev, f)) return false;
  return matchKv(f.get('label'), ev.actor.attributes);
}

function exact(f: Filters, key: string, source: string): boolean {
  const values = f.get(key);
  return !values || values.size === 0 || values.has(source);
}

function fuzzy(f: Filters, key: string, source: string): boolean {
  if (exact(f, key, source)) return true;
  for (const prefix of f.get(key)!) if (source.startsWith(prefix)) return true;
  return false;
}

function matchImage(ev: StampedEvent, f: Filters): boolean {
  const id = ev.actor.id;
  const name = ev.actor.attributes[ev.type === 'image' ? 'name' : 'image'] ?? '';
  return exact(f, 'image', id) || exact(f, 'image', name) || exact(f, 'image', stripTag(id)) || exact(f, 'image', stripTag(name));
}

/** The repository's familiar name without tag or digest; the value itself when it is no reference. */
function stripTag(image: string): string {
  try {
    return familiarName(parseNormalizedNamed(image));
  } catch {
    return image;
  }
}

function matchKv(wanted: Set<string> | undefined, attrs: Record<string, string>): boolean {
  if (!wanted || wanted.size === 0) return true;
  if (Object.keys(attrs).length === 0) return false;
  for (const w of wanted) {
    const eq = w.indexOf('=');
    const key = eq < 0 ? w : w.slice(0, eq);
    if (!Object.hasOwn(attrs, key)) return false;
    if (eq >= 0 && attrs[key] !== w.slice(eq + 1)) return false;
  }
  return true;
}
