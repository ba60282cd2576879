export * from './netns.js';
export * from './links.js';
export * from './routes.js';
export * from './forwarding.js';
export * from './process-sockets.js';
