import { InvalidArgumentError } from '../base/index.js';

/** dockerd's linuxMinMemory. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;

/**
 * The memory settings dockerd refuses (verifyPlatformContainerResources), in its order and
 * wording: the only copy of these checks. The API edge runs it while decoding a create body, the
 * container domain at create and again when it translates a record into a runtime-spec request.
 * Memory 0 and MemorySwap 0 mean unset; MemorySwap -1 means unlimited swap.
 */
export function checkMemoryResources(h: { Memory?: number | null; MemorySwap?: number | null }): void {
  const memory = h.Memory ?? 0;
  const swap = h.MemorySwap ?? 0;
  if (memory !== 0 && memory < MIN_MEMORY_BYTES) throw new InvalidArgumentError('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory) {
    throw new InvalidArgumentError('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (swap > 0 && !(memory > 0)) {
    throw new InvalidArgumentError('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
}
