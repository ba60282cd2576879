export * from './client/index.js';
// The server is its own program (src/registry/server/main.ts, decision 0012): the daemon does not
// import it, so its CommonJS dependencies (yaml, bcryptjs) stay out of berthd's bundle.
