export * from './exec.js';
export * from './runtime-facts.js';
export * from './host-devices.js';
export * from './process-info.js';
export * from './daemon-spawn.js';
export * from './fs-special.js';
export * from './stream-filter.js';
export * from './net/index.js';
