export * from './netns.js';
export * from './links.js';
