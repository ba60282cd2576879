/** A volume as the store keeps it (Docker's volume metadata, camelCase). */
export interface VolumeRecord {
  name: string;
  driver: string;
  /** RFC 3339, seconds. */
  createdAt: string;
  labels: Record<string, string> | null;
  /** The driver's options (`volume create -o`), as given. */
  options: Record<string, string> | null;
}

/** A volume with where its data lives on the host. */
export interface Volume extends VolumeRecord {
  mountpoint: string;
}

/** Docker's label on the volumes a container creates without a name (API ≥ 1.42 prune only takes these). */
export const LABEL_ANONYMOUS_VOLUME = 'com.docker.volume.anonymous';

/**
 * What a volume driver does: keep a volume's data somewhere and make it reachable at a host path
 * while containers use it. The local driver is the only one; the interface is what another would fill.
 */
export interface VolumeDriver {
  readonly name: string;
  /** Refuse options the driver does not know, with Docker's wording. */
  validateOptions(options: Record<string, string> | null): void;
  /** Make the volume's storage (called before its record is written). */
  create(rec: VolumeRecord): Promise<void>;
  /** Delete the volume's storage (called after its record is gone). */
  remove(name: string): Promise<void>;
  /** The host path of the volume's data (Docker's Mountpoint). */
  mountpoint(name: string): string;
  /** Make the data reachable at mountpoint() for one more user; returns the path. */
  mount(rec: VolumeRecord): Promise<string>;
  /** Count a user whose mount survived a daemon restart. */
  adopt(rec: VolumeRecord): void;
  /** One user fewer; the last one gone releases what mount() set up. */
  unmount(rec: VolumeRecord): Promise<void>;
  /** Whether the data directory can be swapped whole (by rename) for a copy-up. */
  swappable(rec: VolumeRecord): boolean;
}
