export * from './container.js';
export * from './duration.js';
export * from './format.js';
export * from './image.js';
export * from './json-text.js';
export * from './ports.js';
export * from './progress.js';
export * from './text.js';
