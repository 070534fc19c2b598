import type { Knex } from 'knex';

/** The SQL dialects SignUp supports, whichever driver speaks them. */
export type SqlDialect = 'sqlite' | 'postgres' | 'mysql' | 'mssql';

const DIALECTS: Readonly<Record<string, SqlDialect>> = {
  sqlite3: 'sqlite',
  'better-sqlite3': 'sqlite',
  postgresql: 'postgres',
  pg: 'postgres',
  mysql: 'mysql',
  mysql2: 'mysql',
  mssql: 'mssql',
};

/**
 * The dialect a knex instance (or transaction) speaks.
 *
 * @throws Error for a knex client SignUp does not support.
 */
export function sqlDialectOf(knex: Knex): SqlDialect {
  const name = String((knex.client as { dialect?: unknown }).dialect);
  const dialect = DIALECTS[name];
  if (dialect === undefined) throw new Error(`The knex client "${name}" is not supported by SignUp.`);
  return dialect;
}
