export * as server from './server/index.js';
