import type { Knex } from 'knex';
import { addProspectIndexRollupsMigration } from './add-prospect-index-rollups.js';
import { createProspectIndexTableMigration } from './create-prospect-index-table.js';
import { createProspectOutboxTableMigration } from './create-prospect-outbox-table.js';
import { createSignUpSchemaMigration } from './create-sign-up-schema.js';
import type { SignUpMigration } from './sign-up-migration.js';

/** Every SignUp migration, oldest first. Append only. */
export const SIGNUP_MIGRATIONS: readonly SignUpMigration[] = Object.freeze([
  createSignUpSchemaMigration, createProspectIndexTableMigration, addProspectIndexRollupsMigration,
  createProspectOutboxTableMigration,
]);

/** The table knex records SignUp's migrations in (its lock table is `<name>_lock`). */
export const SIGNUP_MIGRATIONS_TABLE = 'signup_migrations';

/**
 * Hands knex the migrations compiled into this package, so migrating works from
 * the published package with no migration directory to find.
 */
export class SignUpMigrationSource implements Knex.MigrationSource<SignUpMigration> {
  constructor(private readonly migrations: readonly SignUpMigration[] = SIGNUP_MIGRATIONS) {}

  getMigrations(): Promise<SignUpMigration[]> {
    return Promise.resolve([...this.migrations]);
  }

  getMigrationName(migration: SignUpMigration): string {
    return migration.name;
  }

  getMigration(migration: SignUpMigration): Promise<Knex.Migration> {
    return Promise.resolve(migration);
  }
}
