export * from './config.js';
export * from './errors.js';
export * from './garbage-collect.js';
export * from './main.js';
export * from './registry-storage.js';
export * from './server.js';
