export * from './analytics-query-invalid-error.js';
export * from './database-errors.js';
export * from './reference-data-errors.js';
export * from './signup-error.js';
export * from './sign-up-time-invalid-error.js';
