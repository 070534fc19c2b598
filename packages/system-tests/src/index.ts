export * from './compose-file.js';
export * from './dockerfile.js';
export * from './host-process.js';
export * from './hosts.js';
export * from './prospect-index-table.js';
export * from './prospects-table.js';
export * from './repository-files.js';
export * from './sign-ups.js';
export { waitUntil, type WaitOptions } from '@signup/test-support/wait-until';
