import type { SignUpSettings } from '@signup/adapters/config';
import { openAnalyticsStore, type SignUpModule } from '@signup/adapters/di';
import { createSqlModule, type ParsedConnectionString } from '@signup/adapters/sql';
import { IHealthCheck, type ILogger } from '@signup/domain';
import type { Container } from 'inversify';
import type { ShutdownStack } from '../lifecycle/shutdown-stack.js';
import type { HandlerHostAdapters } from './handler-host-adapters.js';

/**
 * Opens the stores the handler's chosen implementations need and loads their modules into
 * the container: the sign-up database (checked, and migrated when `Database:Migrate`) when
 * `database` is given, and the analytics store when one is chosen. Each is pushed onto
 * `shutdown`, so it is closed again whatever fails later.
 *
 * @throws DatabaseUnavailableError when a database cannot be reached.
 */
export async function openHandlerStores(
  settings: SignUpSettings,
  signUp: SignUpModule,
  database: ParsedConnectionString | undefined,
  host: { readonly container: Container; readonly shutdown: ShutdownStack; readonly logger: ILogger; readonly adapters: HandlerHostAdapters },
): Promise<void> {
  const { container, shutdown, logger, adapters } = host;
  let signUpConnection: ReturnType<typeof adapters.createKnex> | undefined;
  if (database !== undefined) {
    logger.info(`Connecting to database: ${database.display}`);
    const knex = adapters.createKnex(settings.database.connectionString);
    shutdown.push('database', () => knex.destroy());
    const healthCheck = adapters.createDatabaseHealthCheck(knex);
    await healthCheck.check();
    if (settings.database.migrate) await adapters.migrateDatabase(knex);
    container.load(createSqlModule({ connection: knex, healthCheck }));
    signUpConnection = knex;
  }
  const analytics = await openAnalyticsStore(settings, signUp, {
    logger, signUpConnection, createKnex: adapters.createKnex, migrateDatabase: adapters.migrateDatabase, createHealthCheck: adapters.createDatabaseHealthCheck,
  });
  if (analytics !== undefined) {
    shutdown.push('analytics store', () => analytics.close());
    container.load(analytics.module);
    if (analytics.healthCheck !== undefined) container.bind(IHealthCheck).toConstantValue(analytics.healthCheck);
  }
}
