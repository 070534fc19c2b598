import { IHealthCheck, type ILogger } from '@signup/domain';
import { ContainerModule } from 'inversify';
import type { SignUpSettings } from '../config/index.js';
import type { SignUpModule } from '../di/create-sign-up-module.js';
import { createKnex, createSqlModule, migrateDatabase, parseConnectionString, SqlHealthCheck, type SqlConnection } from '../sql/index.js';
import { openAnalyticsStore } from './open-analytics-store.js';
import type { ShutdownStack } from './shutdown-stack.js';

/** How a host opens its stores; the I/O is replaceable in tests. */
export interface OpenHostStoresOptions {
  readonly logger: ILogger;
  /** Receives a close step for each store opened, so it is closed again whatever fails later. */
  readonly shutdown: Pick<ShutdownStack, 'push'>;
  /**
   * Check that the sign-up database answers before going on, so the host does not start
   * without it (a handler). Default true; the web passes false, as it serves its form from
   * cached reference data and answers 503 while the database is down.
   */
  readonly requireDatabase?: boolean;
  /** Whether readiness (`IHealthCheck`) follows the sign-up database. Default true. */
  readonly databaseReadiness?: boolean;
  readonly createKnex?: typeof createKnex;
  readonly migrateDatabase?: typeof migrateDatabase;
  readonly createHealthCheck?: (knex: SqlConnection) => IHealthCheck;
}

/**
 * The one way a host opens its databases: what the chosen implementations of `signUp`
 * need, and nothing else.
 * - `needs('database')`: the `ConnectionStrings:SignUpDb` connection, logged as
 *   `Connecting to database: <url, credentials masked>`, checked (with `requireDatabase`)
 *   and migrated when `Database:Migrate`; its module is `createSqlModule`, with a readiness
 *   check unless `databaseReadiness` is false.
 * - the analytics store `Dependencies:IProspectIndex` chose (`openAnalyticsStore`), sharing
 *   the sign-up connection while `ConnectionStrings:AnalyticsDb` is unset, with the readiness
 *   check of a database opened for it.
 * Resolves with the container modules to load. Every store opened is pushed onto `shutdown`.
 *
 * @throws ConfigurationError for a bad connection string, or when the Elasticsearch client is not installed.
 * @throws DatabaseUnavailableError when a database cannot be reached or migrated.
 */
export async function openHostStores(settings: SignUpSettings, signUp: SignUpModule, options: OpenHostStoresOptions): Promise<ContainerModule[]> {
  const { logger, shutdown } = options;
  const open = options.createKnex ?? createKnex;
  const migrate = options.migrateDatabase ?? migrateDatabase;
  const createHealthCheck = options.createHealthCheck ?? ((knex: SqlConnection) => new SqlHealthCheck(knex));
  const modules: ContainerModule[] = [];
  let signUpConnection: SqlConnection | undefined;
  if (signUp.needs('database')) {
    const { connectionString } = settings.database;
    logger.info(`Connecting to database: ${parseConnectionString(connectionString).display}`);
    const knex = open(connectionString);
    shutdown.push('database', () => knex.destroy());
    const healthCheck = createHealthCheck(knex);
    if (options.requireDatabase ?? true) await healthCheck.check();
    if (settings.database.migrate) await migrate(knex);
    modules.push(createSqlModule({ connection: knex, ...(options.databaseReadiness ?? true ? { healthCheck } : {}) }));
    signUpConnection = knex;
  }
  const analytics = await openAnalyticsStore(settings, signUp, { logger, signUpConnection, createKnex: open, migrateDatabase: migrate, createHealthCheck });
  if (analytics !== undefined) {
    shutdown.push('analytics store', () => analytics.close());
    modules.push(analytics.module);
    const { healthCheck } = analytics;
    if (healthCheck !== undefined) modules.push(new ContainerModule(({ bind }) => { bind(IHealthCheck).toConstantValue(healthCheck); }));
  }
  return modules;
}
