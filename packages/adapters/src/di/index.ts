export * from './create-sign-up-module.js';
export * from './implementation-registry.js';
