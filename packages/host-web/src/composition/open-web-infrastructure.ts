import type { ContainerModule } from 'inversify';
import { INDEX_HANDLER_NAME, SAVE_HANDLER_NAME, type IEventPublisher, type IHealthCheck, type ILogger } from '@signup/domain';
import type { MessagingTracer } from '@signup/adapters/tracing';
import type { SignUpSettings } from '@signup/adapters/config';
import { openAnalyticsStore } from '@signup/adapters/di';
import { createInProcessMessagingModule, InMemoryEventBus } from '@signup/adapters/memory';
import { connectToMessageQueue, createNatsMessaging, createNatsMessagingModule } from '@signup/adapters/nats';
import { createKnex, createSqlModule, migrateDatabase, parseConnectionString, SqlHealthCheck } from '@signup/adapters/sql';
import type { WebMetrics } from '../http/web-metrics.js';
import type { WebPlan } from './build-container.js';
import { ObservedEventPublisher, type PublishMode } from './observed-event-publisher.js';
import type { WebResources } from './web-resources.js';

/** What the web's publisher reports to: its latency histogram, and the spans when tracing is on. */
export interface PublishObservability {
  readonly metrics: WebMetrics;
  readonly messagingTracer?: MessagingTracer | undefined;
}

/** The adapter modules to load and the readiness checks they bring. */
export interface OpenedInfrastructure {
  readonly modules: readonly ContainerModule[];
  readonly healthChecks: readonly IHealthCheck[];
  /** With the outbox on: what its relay publishes through, and the message queue's readiness (NATS only). */
  readonly outboxPublishing?: { readonly publisher: IEventPublisher; readonly queueCheck?: IHealthCheck };
}

/**
 * Opens what the plan needs and records it in `resources`, which closes it again:
 * the database (migrated when `Database:Migrate`) when a chosen implementation needs
 * it, with a readiness check when saves reach it from this process; the analytics store
 * when the index handler or the analytics are part of the plan (`openAnalyticsStore`);
 * NATS when the save handler publishes and `MessageQueue:Url` is set; otherwise the
 * in-process bus, with readiness checks of the save and index handlers subscribed to it.
 * The publisher is bound decorated by `ObservedEventPublisher` (latency, publish span).
 * With the outbox on (`plan.outbox`) the publisher goes to its relay instead: on NATS the
 * messaging module is not loaded, so the message queue's readiness does not fail the web,
 * which still saves while NATS is away.
 *
 * @throws DatabaseUnavailableError when migrations cannot run; QueueUnavailableError when NATS cannot be reached.
 * @throws ConfigurationError when the chosen analytics store cannot be opened as configured.
 */
export async function openWebInfrastructure(
  settings: SignUpSettings,
  plan: WebPlan,
  resources: WebResources,
  logger: ILogger,
  observability: PublishObservability,
): Promise<OpenedInfrastructure> {
  const { metrics, messagingTracer } = observability;
  const observe = (publisher: IEventPublisher, mode: PublishMode): IEventPublisher => new ObservedEventPublisher(publisher, metrics, mode, messagingTracer);
  const modules: ContainerModule[] = [];
  const healthChecks: IHealthCheck[] = [];
  if (plan.signUp.needs('database')) {
    logger.info(`Database: ${parseConnectionString(settings.database.connectionString).display}`);
    const knex = createKnex(settings.database.connectionString);
    resources.knex = knex;
    if (settings.database.migrate) await migrateDatabase(knex);
    // Cached reference data does not need the database once loaded; saves made here do.
    const savesHere = plan.signUp.needs('database', 'IProspectRepository');
    modules.push(createSqlModule({ connection: knex, ...(savesHere ? { healthCheck: new SqlHealthCheck(knex) } : {}) }));
  }
  resources.analytics = await openAnalyticsStore(settings, plan.signUp, { logger, signUpConnection: resources.knex });
  if (resources.analytics !== undefined) modules.push(resources.analytics.module);
  if (plan.inProcess) {
    logger.info('Message queue: in-process bus (MessageQueue:Url is not set); the save and index handlers run in this process');
    resources.bus = new InMemoryEventBus({ logger, tracer: messagingTracer });
    const publisher = observe(resources.bus, 'memory');
    modules.push(createInProcessMessagingModule(resources.bus, publisher));
    healthChecks.push(resources.subscriptionHealthCheck(SAVE_HANDLER_NAME), resources.subscriptionHealthCheck(INDEX_HANDLER_NAME));
    if (plan.outbox) return { modules, healthChecks, outboxPublishing: { publisher } };
  } else if (plan.signUp.needs('eventPublisher') || plan.outbox) {
    resources.nats = await connectToMessageQueue(settings.messageQueue, logger);
    const messaging = await createNatsMessaging(resources.nats, settings.messageQueue, logger);
    const publisher = observe(messaging.publisher, settings.messageQueue.mode);
    if (plan.outbox) return { modules, healthChecks, outboxPublishing: { publisher, queueCheck: messaging.healthCheck } };
    modules.push(createNatsMessagingModule({ ...messaging, publisher }));
  }
  return { modules, healthChecks };
}
