export * from './detach-keys.js';
export * from './signals.js';
export * from './streams.js';
export * from './wait.js';
