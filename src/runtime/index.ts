export * from './spec/index.js';
export * from './conmon/index.js';
export * from './logs/index.js';
export * from './probe/index.js';
