// The body of POST /containers/{id}/update as dockerd decodes it (container.UpdateConfig: Resources and RestartPolicy).
import { InvalidArgumentError } from '../../base/index.js';
import { RESOURCES_FIELDS } from './container-schema.js';
import { decodeJsonBody, int, named, struct, type Schema } from './schema.js';

export interface ContainerUpdateRequest {
  Memory?: number; MemorySwap?: number; MemoryReservation?: number; KernelMemory?: number;
  NanoCpus?: number; CpuShares?: number; CpuPeriod?: number; CpuQuota?: number;
  CpusetCpus?: string; CpusetMems?: string; PidsLimit?: number | null; BlkioWeight?: number;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  [key: string]: unknown;
}

const CONTAINER_UPDATE_SCHEMA: Schema = struct('container.UpdateConfig', {
  ...RESOURCES_FIELDS,
  RestartPolicy: struct('container.RestartPolicy', { Name: named('container.RestartPolicyMode'), MaximumRetryCount: int('int') }),
});

/** Decode an update's body; an empty body changes nothing. */
export function decodeContainerUpdate(text: string): ContainerUpdateRequest {
  const body = decodeJsonBody<ContainerUpdateRequest | null>(text, CONTAINER_UPDATE_SCHEMA);
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('invalid JSON: the update must be an object');
  return body;
}
