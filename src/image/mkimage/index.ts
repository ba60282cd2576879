export * from './busybox.js';
export * from './debian.js';
