export * from './signup-error.js';
export * from './database-errors.js';
export * from './handler-errors.js';
export * from './reference-data-errors.js';
