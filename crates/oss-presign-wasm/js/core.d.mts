// Types of core.mjs for TypeScript (see core.d.ts).
export * from './core.js';
