export * from './image.js';
export * from './reference.js';
export * from './runtime-spec.js';
export * from './signal.js';
export * from './resource-limits.js';
export * from './network-mode.js';
export * from './ignore-patterns.js';
