export * from './signup-error.js';
export * from './analytics-query-invalid-error.js';
