export * from './signup-error.js';
