export * from './config.js';
export * from './ports.js';
export * from './store.js';
export * from './service.js';
export * from './declaration.js';
export * from './restart-policy.js';
export * from './names.js';
export type { WaitCondition, WaitResult } from './waiters.js';
export { MASKED_PATHS, READONLY_PATHS } from '../runtime/index.js';
