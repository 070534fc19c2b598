import type { IHealthCheck } from '@signup/domain';
import type { Knex } from 'knex';
import { translateSqlError } from './translate-sql-error.js';

/** How long the health check waits for the database's answer. */
export const SQL_HEALTH_CHECK_TIMEOUT_MS = 3000;

/**
 * Readiness of the database (`name` is `database`): runs `select 1` and gives up
 * after a few seconds.
 *
 * @throws DatabaseUnavailableError from `check()` when the database does not answer in time or cannot be reached.
 */
export class SqlHealthCheck implements IHealthCheck {
  readonly name = 'database';

  constructor(private readonly knex: Knex) {}

  async check(): Promise<void> {
    try {
      await this.knex.raw('select 1').timeout(SQL_HEALTH_CHECK_TIMEOUT_MS);
    } catch (error) {
      throw translateSqlError(error);
    }
  }
}
