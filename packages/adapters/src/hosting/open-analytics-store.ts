import { type IHealthCheck, type ILogger } from '@signup/domain';
import { ConfigurationError } from '../config/configuration-error.js';
import { ContainerModule } from 'inversify';
import type { SignUpSettings } from '../config/index.js';
import type { createElasticsearchConnection, OpenedElasticsearchConnection } from '../elasticsearch/create-elasticsearch-connection.js';
import { ElasticsearchConnection } from '../elasticsearch/elasticsearch-prospect-index.js';
import {
  AnalyticsSqlConnection, ANALYTICS_CONNECTION_STRING_KEY, createKnex, migrateDatabase, parseConnectionString, SqlHealthCheck,
  type SqlConnection,
} from '../sql/index.js';
import type { SignUpModule } from '../di/create-sign-up-module.js';

/** What `openAnalyticsStore` reuses and how it opens a database; the I/O is replaceable in tests. */
export interface AnalyticsStoreOptions {
  readonly logger: ILogger;
  /**
   * The `ConnectionStrings:SignUpDb` connection the host opened already, if any: the read
   * model shares it while `ConnectionStrings:AnalyticsDb` is unset (on SQLite, one file and one connection).
   */
  readonly signUpConnection?: SqlConnection;
  readonly createKnex?: typeof createKnex;
  readonly migrateDatabase?: typeof migrateDatabase;
  readonly createHealthCheck?: (knex: SqlConnection) => IHealthCheck;
}

/** The analytics store's connection, opened: the module that binds it, a readiness check, and how to close it. */
export interface OpenedAnalyticsStore {
  /** Binds `AnalyticsSqlConnection` or `ElasticsearchConnection`, which the chosen `IProspectIndex` resolves. */
  readonly module: ContainerModule;
  /** Readiness of a database opened here (`analytics-database`); absent for a shared connection and for Elasticsearch. */
  readonly healthCheck?: IHealthCheck;
  /** Closes what was opened here (a shared connection stays open); never rejects. */
  close(): Promise<void>;
}

const ELASTICSEARCH_CLIENT = '@elastic/elasticsearch';

async function loadElasticsearch(): Promise<{ createElasticsearchConnection: typeof createElasticsearchConnection }> {
  try {
    return await import('../elasticsearch/create-elasticsearch-connection.js');
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(ELASTICSEARCH_CLIENT)) {
      throw new ConfigurationError('Dependencies:IProspectIndex',
        `Dependencies:IProspectIndex = "ElasticsearchProspectIndex" needs the ${ELASTICSEARCH_CLIENT} package; `
        + `install it (npm install ${ELASTICSEARCH_CLIENT}@9) or choose SqlProspectIndex`, { cause: error });
    }
    throw error;
  }
}

async function openElasticsearch(settings: SignUpSettings, logger: ILogger): Promise<OpenedAnalyticsStore> {
  const { createElasticsearchConnection } = await loadElasticsearch();
  const connection: OpenedElasticsearchConnection = createElasticsearchConnection(settings.elasticsearch);
  logger.info(`Connecting to Elasticsearch: ${connection.display}`);
  return {
    module: new ContainerModule(({ bind }) => { bind(ElasticsearchConnection).toConstantValue(connection); }),
    close: () => connection.client.close().catch((error: unknown) => logger.warn('Could not close the Elasticsearch client cleanly', { error })),
  };
}

/**
 * Opens the analytics store the configuration chose (`Dependencies:IProspectIndex`), when
 * a chosen implementation needs it (`signUp.needs('analyticsDatabase' | 'elasticsearch')`):
 * - `SqlProspectIndex`: `ConnectionStrings:AnalyticsDb`, or else the sign-up database. It
 *   reuses `signUpConnection` when the key is unset; otherwise it opens the database, logs
 *   `Connecting to analytics database: <url, credentials masked>`, checks it answers and
 *   migrates it when `Database:Migrate`.
 * - `ElasticsearchProspectIndex`: makes the client of `Elasticsearch:*` (loading the optional
 *   `@elastic/elasticsearch` package only now) and logs `Connecting to Elasticsearch: <url,
 *   credentials masked> (index …)`. No request is made until the store is used.
 * Resolves undefined when nothing chosen needs either. What it opened is closed by `close()`,
 * or here when opening fails half-way.
 *
 * @throws ConfigurationError for a bad `ConnectionStrings:AnalyticsDb`, or when the Elasticsearch client is not installed.
 * @throws DatabaseUnavailableError when the analytics database cannot be reached or migrated.
 */
export async function openAnalyticsStore(settings: SignUpSettings, signUp: SignUpModule, options: AnalyticsStoreOptions): Promise<OpenedAnalyticsStore | undefined> {
  if (signUp.needs('elasticsearch')) return openElasticsearch(settings, options.logger);
  if (!signUp.needs('analyticsDatabase')) return undefined;
  const { logger, signUpConnection } = options;
  if (signUpConnection !== undefined && !settings.analyticsDatabase.separate) {
    return { module: new ContainerModule(({ bind }) => { bind(AnalyticsSqlConnection).toConstantValue(signUpConnection); }), close: () => Promise.resolve() };
  }
  const key = settings.analyticsDatabase.separate ? ANALYTICS_CONNECTION_STRING_KEY : 'ConnectionStrings:SignUpDb';
  const { connectionString } = settings.analyticsDatabase;
  logger.info(`Connecting to analytics database: ${parseConnectionString(connectionString, key).display}`);
  const knex = (options.createKnex ?? createKnex)(connectionString, { connectionStringKey: key });
  const close = (): Promise<void> => knex.destroy().catch((error: unknown) => logger.warn('Could not close the analytics database connections cleanly', { error }));
  try {
    const check = (options.createHealthCheck ?? ((opened: SqlConnection) => new SqlHealthCheck(opened)))(knex);
    await check.check();
    if (settings.database.migrate) await (options.migrateDatabase ?? migrateDatabase)(knex);
    return {
      module: new ContainerModule(({ bind }) => { bind(AnalyticsSqlConnection).toConstantValue(knex); }),
      healthCheck: { name: 'analytics-database', check: () => check.check() },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
