// Types of index.mjs for TypeScript, which looks up `index.d.mts` for an `.mjs` module.
export * from './index.js';
