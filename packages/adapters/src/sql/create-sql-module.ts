import { IHealthCheck } from '@signup/domain';
import { ContainerModule } from 'inversify';
import { SqlConnection } from './sql-connection.js';

/** What the SQL module binds: the open connection, and a readiness check when the host wants one. */
export interface SqlModuleOptions {
  /** The knex instance a host opened with `createKnex`; the host destroys it when it stops. */
  readonly connection: SqlConnection;
  /** Bound as an `IHealthCheck` when saves reach this database, so readiness follows it. */
  readonly healthCheck?: IHealthCheck;
}

/**
 * The SQL adapters' container module: binds the connection as `SqlConnection`, which
 * `SqlProspectRepository` and `DatabaseReferenceDataLoader` resolve when the
 * configuration chooses them, and the health check, if given, as an `IHealthCheck`.
 * A host loads it when `createSignUpModule(...).needs('database')`. No I/O.
 */
export function createSqlModule(options: SqlModuleOptions): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(SqlConnection).toConstantValue(options.connection);
    if (options.healthCheck !== undefined) bind(IHealthCheck).toConstantValue(options.healthCheck);
  });
}
