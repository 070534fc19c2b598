import type { Knex } from 'knex';

/** One schema change, compiled into the package (no migration files are read from disk). */
export interface SignUpMigration extends Knex.Migration {
  /** Recorded in the migrations table; never renamed once released. */
  readonly name: string;
}
