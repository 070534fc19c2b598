export * from './add-prospect-index-rollups.js';
export * from './create-prospect-index-table.js';
export * from './create-prospect-outbox-table.js';
export * from './create-sign-up-schema.js';
export * from './sign-up-migration.js';
export * from './sign-up-migration-source.js';
