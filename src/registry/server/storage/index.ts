export * from './blob-store.js';
export * from './layout.js';
export * from './links.js';
export * from './manifest-store.js';
export * from './upload-store.js';
