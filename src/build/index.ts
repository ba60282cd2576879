export * from './builder/index.js';
