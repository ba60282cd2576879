export type * from './common.js';
export type * from './system.js';
export type * from './container.js';
export type * from './image.js';
export type * from './network.js';
export * from './schema.js';
export * from './container-schema.js';
export * from './query.js';
export * from './exec.js';
