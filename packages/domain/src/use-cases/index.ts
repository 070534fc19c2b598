export * from './asynchronous-prospect-save-handler.js';
export * from './check-health.js';
export * from './index-prospect-event-handler.js';
export { describeFailure } from './prepare-and-write-batch.js';
export * from './caching-reference-data-loader.js';
export * from './save-prospect-event-handler.js';
export * from './sign-up-prospect.js';
export * from './synchronous-prospect-save-handler.js';
