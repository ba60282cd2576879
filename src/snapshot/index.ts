export * from './snapshotter.js';
export * from './overlay.js';
export * from './container-paths.js';
// conformance.ts (the suite every Snapshotter runs) imports node:test, so it is imported by path from tests only
