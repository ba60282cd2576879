export * from './record-store.js';
