export * from './flag-set.js';
export * from './values.js';
export * from './usage.js';
