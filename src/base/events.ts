/**
 * What the engine reports as it changes (Docker's events). Services publish these through the
 * narrow sink their ports declare; the daemon's event log stamps, keeps and serves them.
 */

/** Docker's event types (api/types/events). */
export type EventType = 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'plugin' | 'service' | 'node' | 'secret' | 'config' | 'builder';

/** One event as a service publishes it: Docker's Type, Action and Actor. */
export interface EngineEvent {
  type: EventType;
  /** Docker's action name: "create", "die", "tag", "connect", ... */
  action: string;
  /** The object's ID ('' for prune) and its attributes (name, image, labels, exitCode, ...). */
  actor: { id: string; attributes: Record<string, string> };
}

/** An event as the log keeps it: with Docker's local scope and its time in nanoseconds. */
export interface StampedEvent extends EngineEvent {
  scope: 'local';
  /** Unix time in nanoseconds (a bigint: the wire's int64 does not fit a double). */
  timeNano: bigint;
}
