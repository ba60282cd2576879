export * from './k8s-line.js';
export * from './assembler.js';
export * from './tail.js';
export * from './read-logs.js';
