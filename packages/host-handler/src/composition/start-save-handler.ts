import { type SignUpSettings } from '@signup/adapters/config';
import { createSignUpModule, describeChosen } from '@signup/adapters/di';
import { ConsoleLogger } from '@signup/adapters/logging';
import { connectToMessageQueue, createNatsMessaging, NatsConnection } from '@signup/adapters/nats';
import {
  createKnex, migrateDatabase, parseConnectionString, SqlConnection, SqlHealthCheck, SqlProspectRepository,
} from '@signup/adapters/sql';
import {
  IEventPublisher, IEventSubscriber, IHealthCheck, ILogger, IProspectRepository, SaveProspectEventHandler,
} from '@signup/domain';
import { Container } from 'inversify';
import { CountingEventHandler } from '../handlers/counting-event-handler.js';
import { ShutdownStack } from '../lifecycle/shutdown-stack.js';
import { createHandlerMetrics } from '../monitoring/handler-metrics.js';
import { MonitoringServer, type MonitoringServerOptions } from '../monitoring/monitoring-server.js';
import { Readiness } from '../monitoring/readiness.js';

/** The I/O the save handler host opens, replaceable in tests. */
export interface SaveHandlerAdapters {
  readonly createKnex: typeof createKnex;
  readonly migrateDatabase: typeof migrateDatabase;
  readonly createDatabaseHealthCheck: (knex: ReturnType<typeof createKnex>) => IHealthCheck;
  readonly connectToMessageQueue: typeof connectToMessageQueue;
  readonly createNatsMessaging: typeof createNatsMessaging;
  readonly createMonitoringServer: (options: MonitoringServerOptions) => Pick<MonitoringServer, 'start' | 'close'>;
}

const defaultAdapters: SaveHandlerAdapters = {
  createKnex,
  migrateDatabase,
  createDatabaseHealthCheck: (knex) => new SqlHealthCheck(knex),
  connectToMessageQueue,
  createNatsMessaging,
  createMonitoringServer: (options) => new MonitoringServer(options),
};

/** How to start the save handler host. */
export interface StartSaveHandlerOptions {
  /** Where log lines go; standard output by default. */
  readonly write?: (line: string) => void;
  readonly adapters?: Partial<SaveHandlerAdapters>;
}

/** A started save handler host. */
export interface RunningSaveHandler {
  readonly logger: ILogger;
  /** The port of the metrics and health server, when it is enabled. */
  readonly monitoringPort: number | undefined;
  /**
   * Stops taking messages, lets the batch in hand finish and be acknowledged, drains
   * NATS, closes the database pool and the monitoring server, in that order.
   * Resolves true when everything closed cleanly; never rejects; runs once.
   */
  stop(): Promise<boolean>;
}

/**
 * The save handler's composition root: opens the database (migrating it when
 * `Database:Migrate`), connects to NATS, builds the container with the SignUp
 * module and the infrastructure as constants, and subscribes the
 * `SaveProspectEventHandler` (counted for `/metrics`) as `save-handler`; the
 * subscription logs `Listening on subject: ..., queue: save-handler` once it is. With
 * `Metrics:Server:Enabled` it also serves `/metrics`, `/health/live` and
 * `/health/ready`. Whatever was opened is closed again when a later step fails.
 *
 * @throws ConfigurationError for a bad connection string or implementation name.
 * @throws DatabaseUnavailableError or QueueUnavailableError when the database or NATS cannot be reached at start.
 */
export async function startSaveHandler(settings: SignUpSettings, options: StartSaveHandlerOptions = {}): Promise<RunningSaveHandler> {
  const adapters: SaveHandlerAdapters = { ...defaultAdapters, ...options.adapters };
  const logger = new ConsoleLogger({ name: 'save-handler', level: settings.logging.level, write: options.write });
  const { module, chosen } = createSignUpModule(settings);
  const metrics = createHandlerMetrics({ defaultMetrics: settings.metricsServer.enabled });
  const readiness = new Readiness();
  const shutdown = new ShutdownStack(logger);

  try {
    let monitoringPort: number | undefined;
    if (settings.metricsServer.enabled) {
      const server = adapters.createMonitoringServer({ port: settings.metricsServer.port, registry: metrics.registry, readiness, logger });
      monitoringPort = await server.start();
      shutdown.push('metrics server', () => server.close());
    }

    const databaseTarget = parseConnectionString(settings.database.connectionString);
    logger.info(`Connecting to database: ${databaseTarget.display}`);
    const knex = adapters.createKnex(settings.database.connectionString);
    shutdown.push('database', () => knex.destroy());
    const database = adapters.createDatabaseHealthCheck(knex);
    await database.check();
    if (settings.database.migrate) await adapters.migrateDatabase(knex);

    const connection = await adapters.connectToMessageQueue(settings.messageQueue, logger);
    shutdown.push('message queue', () => connection.drain());
    // SQLite has one connection: a second batch in flight would only queue for it.
    const subscriberTuning = databaseTarget.client === 'better-sqlite3' ? { concurrentBatches: 1 } : {};
    const messaging = await adapters.createNatsMessaging(connection, settings.messageQueue, logger, { subscriber: subscriberTuning });

    const container = new Container({ defaultScope: 'Singleton' });
    container.bind(ILogger).toConstantValue(logger);
    container.bind(SqlConnection).toConstantValue(knex);
    container.bind(NatsConnection).toConstantValue(connection);
    container.bind(IProspectRepository).to(SqlProspectRepository).inSingletonScope();
    container.bind(IEventPublisher).toConstantValue(messaging.publisher);
    container.bind(IEventSubscriber).toConstantValue(messaging.subscriber);
    container.bind(IHealthCheck).toConstantValue(database);
    container.bind(IHealthCheck).toConstantValue(messaging.healthCheck);
    container.load(module);
    logger.info(`Dependencies: ${describeChosen(chosen)}`);

    const handler = new CountingEventHandler(container.get(SaveProspectEventHandler), metrics.events);
    const subscriber = container.get<IEventSubscriber>(IEventSubscriber);
    const subscription = await subscriber.subscribe(handler);
    shutdown.push('subscription', () => subscription.stop());

    for (const check of container.getAll<IHealthCheck>(IHealthCheck)) readiness.add(check);
    readiness.add({
      name: 'subscription',
      check: () => (subscription.healthy ? Promise.resolve() : Promise.reject(new Error('the subscription is stalled'))),
    });
    readiness.markRunning();

    return {
      logger,
      monitoringPort,
      stop: () => {
        readiness.markStopping();
        return shutdown.run();
      },
    };
  } catch (error) {
    readiness.markStopping();
    await shutdown.run();
    throw error;
  }
}
