export * from './exec.js';
export * from './fs-special.js';
export * from './stream-filter.js';
