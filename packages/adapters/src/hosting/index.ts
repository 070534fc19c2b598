export * from './describe-error.js';
export * from './open-analytics-store.js';
export * from './open-host-stores.js';
export * from './shutdown-stack.js';
export * from './signal-shutdown.js';
