export * from './client/index.js';
export * as server from './server/index.js';
