export * from './conmon-runtime.js';
export * from './layout.js';
export * from './bundle.js';
export * from './attach.js';
export * from './detect.js';
export * from './runtime-error.js';
export * from './exit-watch.js';
export * from './seqpacket.js';
