export * from './host-process.js';
export * from './hosts.js';
export * from './prospects-table.js';
export * from './sign-ups.js';
export * from './wait-until.js';
