export * from './copy-info.js';
export * from './local-tar.js';
export { rebaseTar } from '../image/archive/index.js';
export * from './build-context.js';
