export * from './server.js';
export * from './router.js';
export * from './errors.js';
export * from './version.js';
export * from './target.js';
