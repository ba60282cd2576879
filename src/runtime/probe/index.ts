export * from './probe-runner.js';
