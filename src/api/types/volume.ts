// The /volumes endpoints' shapes (api/types/volume of the Engine API).
import { decodeJsonBody, mapOf, str, struct } from './schema.js';

/** A volume as GET /volumes/{name} returns it. */
export interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  /** RFC 3339 */
  CreatedAt?: string;
  Status?: Record<string, unknown>;
  Labels: Record<string, string> | null;
  Scope: 'local' | 'global';
  Options: Record<string, string> | null;
  /** Only in /system/df: size in bytes (-1 when unknown) and how many containers use the volume. */
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface VolumeListResponse {
  Volumes: Volume[];
  Warnings: string[] | null;
}

/** The body of POST /volumes/create. */
export interface VolumeCreateOptions {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export interface VolumePruneResponse {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

const createSchema = struct('volume.CreateOptions', { Name: str, Driver: str, DriverOpts: mapOf(str), Labels: mapOf(str) });

/** Decode a create body with Go's types and wording (a number where a string goes is refused). */
export function decodeVolumeCreate(text: string): VolumeCreateOptions | undefined {
  return decodeJsonBody<VolumeCreateOptions>(text, createSchema);
}
