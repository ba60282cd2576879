export type * from './common.js';
export type * from './system.js';
export type * from './container.js';
export type * from './image.js';
export type * from './network.js';
