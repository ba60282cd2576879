import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../base/index.js';

const VALID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Refuse a name the local driver cannot use as one directory (`../x`, `a/b`, a single character), in dockerd's words. */
export function validateVolumeName(name: string): void {
  if (!VALID.test(name)) {
    throw new InvalidArgumentError(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** The name of an anonymous volume: 64 hex digits, as dockerd's. */
export function anonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}
