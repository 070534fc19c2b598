import type { SignUpSettings } from '@signup/adapters/config';
import { createSignUpModule, describeChosen } from '@signup/adapters/di';
import { openHostStores, ShutdownStack } from '@signup/adapters/hosting';
import { ConsoleLogger } from '@signup/adapters/logging';
import { createNatsMessagingModule } from '@signup/adapters/nats';
import { MessagingTracer } from '@signup/adapters/tracing';
import type { Tracer } from '@opentelemetry/api';
import { parseConnectionString } from '@signup/adapters/sql';
import { IEventSubscriber, IHealthCheck, ILogger } from '@signup/domain';
import { Container } from 'inversify';
import type { HandlerDefinition, TuningContext } from '../handlers/handler-definition.js';
import { CountingEventHandler } from '../handlers/counting-event-handler.js';
import { startConsumerLagMetrics } from '../monitoring/consumer-lag-metrics.js';
import { createHandlerMetrics } from '../monitoring/handler-metrics.js';
import { Readiness } from '../monitoring/readiness.js';
import { defaultHandlerHostAdapters, type HandlerHostAdapters } from './handler-host-adapters.js';
import { createHandlerContext } from './create-handler-context.js';

/** How to start a handler. */
export interface StartHandlerOptions {
  /** Where log lines go; standard output by default. */
  readonly write?: (line: string) => void;
  readonly adapters?: Partial<HandlerHostAdapters>;
  /**
   * From `startTracing`, when tracing is on: each message gets its receive and process spans
   * under the context it carried, each batch a span linked to them. The caller shuts tracing
   * down after `stop`.
   */
  readonly tracer?: Tracer | undefined;
}

/** A started handler. */
export interface RunningHandler {
  readonly logger: ILogger;
  /** The port of the metrics and health server, when it is enabled. */
  readonly monitoringPort: number | undefined;
  /**
   * Stops taking messages, lets the batch in hand finish and be acknowledged, drains NATS,
   * closes the database pool and the monitoring server, in that order. Resolves true when
   * everything closed cleanly; never rejects; runs once.
   */
  stop(): Promise<boolean>;
}

/**
 * The handler host's composition root: checks the implementations the definition's
 * ports choose, starts the metrics and health server (`Metrics:Server:Enabled`), opens
 * the stores the chosen implementations need (`openHostStores`: the database, migrated when
 * `Database:Migrate`, and the analytics store), connects to NATS, builds the container with
 * the definition's modules, runs the definition's start-up hook and subscribes its handler
 * (counted for `/metrics`) under the definition's name, ready once its subscription and its
 * own checks are; the subscription logs `Listening on subject: ..., queue: <name>`.
 * With the metrics server on and JetStream, it samples the consumer's backlog every
 * `Metrics:ConsumerLag:IntervalSeconds` for the lag gauges. With `options.tracer`,
 * messages and batches get their spans.
 * Whatever was opened is closed again when a later step fails.
 *
 * @throws ConfigurationError for a bad connection string or implementation name, before anything is opened.
 * @throws DatabaseUnavailableError or QueueUnavailableError when the database or NATS cannot be reached at start.
 */
export async function startHandler(definition: HandlerDefinition, settings: SignUpSettings, options: StartHandlerOptions = {}): Promise<RunningHandler> {
  const adapters: HandlerHostAdapters = { ...defaultHandlerHostAdapters, ...options.adapters };
  const logger = new ConsoleLogger({ name: definition.name, level: settings.logging.level, format: settings.logging.format, write: options.write });
  const signUp = createSignUpModule(settings, { ports: definition.ports });
  const database = signUp.needs('database') ? parseConnectionString(settings.database.connectionString) : undefined;
  const analyticsDatabase = signUp.needs('analyticsDatabase') ? parseConnectionString(settings.analyticsDatabase.connectionString) : undefined;
  const readiness = new Readiness();
  const metrics = createHandlerMetrics({
    defaultMetrics: settings.metricsServer.enabled,
    readiness: { handler: definition.name, ready: () => readiness.report().then((report) => report.ready) },
  });
  const shutdown = new ShutdownStack(logger);
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(ILogger).toConstantValue(logger);
  container.load(signUp.module);
  container.load(...definition.modules ?? []);

  try {
    let monitoringPort: number | undefined;
    if (settings.metricsServer.enabled) {
      const server = adapters.createMonitoringServer({ port: settings.metricsServer.port, registry: metrics.registry, readiness, logger });
      monitoringPort = await server.start();
      shutdown.push('metrics server', () => server.close());
    }

    container.load(...await openHostStores(settings, signUp, {
      logger, shutdown, createKnex: adapters.createKnex, migrateDatabase: adapters.migrateDatabase, createHealthCheck: adapters.createDatabaseHealthCheck,
    }));

    const connection = await adapters.connectToMessageQueue(settings.messageQueue, logger);
    shutdown.push('message queue', () => connection.drain());
    const tuning: TuningContext = { settings, ...(database === undefined ? {} : { database }), ...(analyticsDatabase === undefined ? {} : { analyticsDatabase }) };
    const tracer = options.tracer === undefined ? undefined : new MessagingTracer(options.tracer, { consumerGroup: definition.name });
    const subscriber = { ...definition.tuning?.(tuning), ...(tracer === undefined ? {} : { tracer }) };
    container.load(createNatsMessagingModule(await adapters.createNatsMessaging(connection, settings.messageQueue, logger, { subscriber })));
    if (Object.keys(signUp.chosen).length > 0) logger.info(`Dependencies: ${describeChosen(signUp.chosen)}`);
    for (const warning of signUp.warnings) logger.warn(warning);

    if (settings.metricsServer.enabled && settings.messageQueue.mode === 'jetstream') {
      startConsumerLagMetrics(adapters.createConsumerLag, connection, {
        consumer: definition.name, intervalMs: settings.metricsServer.consumerLagIntervalMs, metrics, logger, shutdown,
      });
    }

    const context = createHandlerContext(definition.name, settings, { logger, container, connection, resetConsumer: adapters.resetConsumer });
    await definition.beforeSubscribe?.(context);
    const handler = definition.createHandler(context);
    if (handler.name !== definition.name) throw new TypeError(`The handler "${definition.name}" created a handler named "${handler.name}"`);
    const subscription = await container.get<IEventSubscriber>(IEventSubscriber).subscribe(new CountingEventHandler(handler, metrics.events, metrics));
    shutdown.push('subscription', () => subscription.stop());

    for (const check of [...container.getAll<IHealthCheck>(IHealthCheck), ...definition.healthChecks?.(context) ?? []]) readiness.add(check);
    readiness.add({
      name: 'subscription',
      check: () => (subscription.healthy ? Promise.resolve() : Promise.reject(new Error('the subscription is stalled'))),
    });
    readiness.markRunning();
    return { logger, monitoringPort, stop: () => { readiness.markStopping(); return shutdown.run(); } };
  } catch (error) {
    readiness.markStopping();
    await shutdown.run();
    throw error;
  }
}
