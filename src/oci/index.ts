export * from './image.js';
export * from './reference.js';
