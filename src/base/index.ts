export * from './errors.js';
export * from './digest.js';
export * from './atomic-file.js';
export * from './ids.js';
export * from './filters.js';
export * from './units.js';
export * from './log.js';
export * from './keyed-mutex.js';
