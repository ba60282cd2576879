export * from './engine-client.js';
export * from './errors.js';
export * from './host.js';
export * from './json-stream.js';
export * from './query.js';
export * from './stdcopy.js';
export { readBody, readError } from './transport.js';
export * from './container-files.js';
export * from './checkpoints.js';
