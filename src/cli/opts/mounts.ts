import { resolve } from 'node:path';
import type { Mount } from '../../api/types/index.js';
import { parseRamBytes } from '../../base/index.js';

/** A `-v` spec: host or named sources become Binds, a lone path an anonymous volume. */
export function parseVolumeSpec(spec: string): { bind?: string; volume?: string } {
  if (spec.trim() === '') throw new Error('invalid empty volume spec');
  const parts = spec.split(':');
  if (parts.length === 1) {
    if (!parts[0]!.startsWith('/')) throw new Error(`invalid volume specification: '${spec}': invalid mount config for type "volume": invalid mount path: '${parts[0]}' mount path must be absolute`);
    return { volume: parts[0]! };
  }
  if (parts.length > 3) throw new Error(`invalid spec: ${spec}: too many colons`);
  let [src, dst] = parts as [string, string];
  if (dst === '' || !dst.startsWith('/')) throw new Error(`invalid volume specification: '${spec}'`);
  if (src.startsWith('.')) src = resolve(src);
  return { bind: [src, ...parts.slice(1)].join(':') };
}

function parseBool(k: string, v: string | undefined): boolean {
  if (v === undefined) return true;
  const t = ['1', 't', 'true', 'TRUE', 'True', 'T'];
  const f = ['0', 'f', 'false', 'FALSE', 'False', 'F'];
  if (t.includes(v)) return true;
  if (f.includes(v)) return false;
  throw new Error(`invalid value for ${k}: ${v}`);
}

/** A `--mount` spec (CSV of key=value) as docker's MountOpt parses it. */
export function parseMountSpec(spec: string): Mount {
  const m: Mount = { Type: 'volume' };
  const fields = spec.split(',').filter((f) => f !== '');
  for (const field of fields) if (field.startsWith('type=')) m.Type = field.slice(5) as Mount['Type'];
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? undefined : field.slice(eq + 1);
    if (val === undefined && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive', 'bind-create-src'].includes(key)) {
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type':
        if (!['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'].includes(val!)) throw new Error(`invalid value for type: ${val}`);
        break;
      case 'source': case 'src':
        m.Source = val;
        break;
      case 'target': case 'dst': case 'destination':
        m.Target = val;
        break;
      case 'readonly': case 'ro':
        m.ReadOnly = parseBool(key, val);
        break;
      case 'consistency':
        m.Consistency = val;
        break;
      case 'bind-propagation':
        m.BindOptions = { ...m.BindOptions, Propagation: val as NonNullable<Mount['BindOptions']>['Propagation'] };
        break;
      case 'bind-nonrecursive':
        m.BindOptions = { ...m.BindOptions, NonRecursive: parseBool(key, val) };
        break;
      case 'bind-recursive': {
        const modes: Record<string, object> = {
          enabled: {}, disabled: { NonRecursive: true }, writable: { ReadOnlyNonRecursive: true }, readonly: { ReadOnlyForceRecursive: true },
        };
        if (!(val! in modes)) throw new Error(`invalid value for ${key}: ${val}`);
        m.BindOptions = { ...m.BindOptions, ...modes[val!] };
        break;
      }
      case 'bind-create-src':
        m.BindOptions = { ...m.BindOptions, CreateMountpoint: parseBool(key, val) };
        break;
      case 'volume-nocopy':
        m.VolumeOptions = { ...m.VolumeOptions, NoCopy: parseBool(key, val) };
        break;
      case 'volume-label': {
        const [k, v = ''] = val!.split(/=(.*)/s);
        m.VolumeOptions = { ...m.VolumeOptions, Labels: { ...m.VolumeOptions?.Labels, [k!]: v } };
        break;
      }
      case 'volume-driver':
        m.VolumeOptions = { ...m.VolumeOptions, DriverConfig: { ...m.VolumeOptions?.DriverConfig, Name: val } };
        break;
      case 'volume-opt': {
        const [k, v = ''] = val!.split(/=(.*)/s);
        const dc = m.VolumeOptions?.DriverConfig;
        m.VolumeOptions = { ...m.VolumeOptions, DriverConfig: { ...dc, Options: { ...dc?.Options, [k!]: v } } };
        break;
      }
      case 'volume-subpath':
        m.VolumeOptions = { ...m.VolumeOptions, Subpath: val };
        break;
      case 'image-subpath':
        m.ImageOptions = { Subpath: val };
        break;
      case 'tmpfs-size':
        m.TmpfsOptions = { ...m.TmpfsOptions, SizeBytes: parseRamBytes(val!) };
        break;
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val!)) throw new Error(`invalid value for ${key}: ${val}`);
        m.TmpfsOptions = { ...m.TmpfsOptions, Mode: parseInt(val!, 8) };
        break;
      }
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Target) throw new Error('target is required');
  if (m.Type === 'bind' && !m.Source) throw new Error('source is required when specifying bind mount');
  return m;
}
