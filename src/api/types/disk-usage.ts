import type { ContainerSummary } from './container.js';
import type { ImageSummary } from './image.js';

/** A volume as GET /system/df lists it: the volume with its usage. */
export interface VolumeUsageSummary {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt?: string;
  Labels: Record<string, string> | null;
  Scope: string;
  Options: Record<string, string> | null;
  UsageData: { Size: number; RefCount: number } | null;
}

/** GET /system/df (moby's system.DiskUsage). */
export interface SystemDiskUsageResponse {
  LayersSize?: number;
  Images?: ImageSummary[];
  Containers?: ContainerSummary[];
  Volumes?: VolumeUsageSummary[];
  BuildCache?: unknown[];
}
