import type { IHealthCheck } from '@signup/domain';
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { SqlConnection } from './sql-connection.js';
import { translateSqlError } from './translate-sql-error.js';

/** How long the health check waits for the database's answer. */
export const SQL_HEALTH_CHECK_TIMEOUT_MS = 3000;

/**
 * Readiness of the database (`name` is `database`): runs `select 1` and gives up
 * after a few seconds.
 *
 * @throws DatabaseUnavailableError from `check()` when the database does not answer in time or cannot be reached.
 */
@injectable()
export class SqlHealthCheck implements IHealthCheck {
  readonly name = 'database';

  constructor(@inject(SqlConnection) private readonly knex: Knex) {}

  async check(): Promise<void> {
    try {
      await this.knex.raw('select 1').timeout(SQL_HEALTH_CHECK_TIMEOUT_MS);
    } catch (error) {
      throw translateSqlError(error);
    }
  }
}
