export { BuildService, type BuildRequest, type BuildServiceDeps } from './build-service.js';
export { BuildCacheStore, type CacheRecord } from './cache-store.js';
export type { BaseImage, BuildCache, BuildEngine, BuildMessage, StepHost } from './engine.js';
export { runBuild, type BuildOptions } from './executor.js';
export { statInScope } from './copy-step.js';
