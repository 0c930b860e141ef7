// Types of core.mjs: the wrapper without loading (see index.d.ts for the options and results).
export { createPresigner, instantiate } from './index.js';
export type {
  Presigner, PresignOptions, PresignResult, PresignPostOptions, PresignPostResult,
  PostCondition, EndpointOptions, SignerOptions, Instant,
  PrepareOptions, PresignCallOptions, PreparedPresigner,
} from './index.js';
