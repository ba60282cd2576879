export * from './server.js';
export * from './router.js';
export * from './errors.js';
export * from './version.js';
export * from './target.js';
export * from './stream-frames.js';
export * from './stream-pump.js';
export * from './request-body.js';
