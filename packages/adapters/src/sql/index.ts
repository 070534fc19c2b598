export {
  ANALYTICS_CONNECTION_STRING_KEY,
  CONNECTION_STRING_KEY,
  maskConnectionString,
  parseConnectionString,
  type MySqlConnectionSettings,
  type ParsedConnectionString,
  type PostgresConnectionSettings,
  type SqlClientName,
  type SqliteConnectionSettings,
  type SqlServerConnectionSettings,
} from './connection-string.js';
export { createSqlModule, type SqlModuleOptions } from './create-sql-module.js';
export { createKnex, DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, type CreateKnexOptions } from './create-knex.js';
export { DatabaseReferenceDataLoader } from './database-reference-data-loader.js';
export { migrateDatabase, type MigrateDatabaseOptions } from './migrate-database.js';
export { SIGNUP_MIGRATIONS_TABLE, SignUpMigrationSource } from './migrations/sign-up-migration-source.js';
export type { SignUpMigration } from './migrations/sign-up-migration.js';
export { seedReferenceData, type ReferenceDataSeed } from './seed-reference-data.js';
export { SqlConnection } from './sql-connection.js';
export { SQL_HEALTH_CHECK_TIMEOUT_MS, SqlHealthCheck } from './sql-health-check.js';
export { AnalyticsSqlConnection, SqlProspectIndex, type SqlProspectIndexOptions } from './sql-prospect-index.js';
export { SqlProspectRepository } from './sql-prospect-repository.js';
export { translateSqlError } from './translate-sql-error.js';
export { PROSPECT_OUTBOX_TABLE } from './migrations/create-prospect-outbox-table.js';
export type { ProspectOutboxOptions } from './prospect-outbox-rows.js';
export {
  SqlProspectOutboxRelay,
  type OutboxBacklog,
  type OutboxRelayErrorCause,
  type OutboxRelayObserver,
  type OutboxRelayRound,
  type SqlProspectOutboxRelayOptions,
} from './sql-prospect-outbox-relay.js';
