import type { ContainerModule } from 'inversify';
import type { IEventPublisher, IHealthCheck, ILogger } from '@signup/domain';
import type { MessagingTracer } from '@signup/adapters/tracing';
import type { SignUpSettings } from '@signup/adapters/config';
import { openHostStores, type ShutdownStack } from '@signup/adapters/hosting';
import { createInProcessMessagingModule, InMemoryEventBus } from '@signup/adapters/memory';
import { connectToMessageQueue, createNatsMessaging, createNatsMessagingModule } from '@signup/adapters/nats';
import type { WebMetrics } from '../http/web-metrics.js';
import type { WebPlan } from './build-container.js';
import { ObservedEventPublisher, type PublishMode } from './observed-event-publisher.js';

/** What the web's publisher reports to: its latency histogram, and the spans when tracing is on. */
export interface PublishObservability {
  readonly metrics: WebMetrics;
  readonly messagingTracer?: MessagingTracer | undefined;
}

/** The adapter modules to load, and the in-process bus when the plan runs handlers in this process. */
export interface OpenedInfrastructure {
  readonly modules: readonly ContainerModule[];
  readonly bus?: InMemoryEventBus;
  /** With the outbox on: what its relay publishes through, and the message queue's readiness (NATS only). */
  readonly outboxPublishing?: { readonly publisher: IEventPublisher; readonly queueCheck?: IHealthCheck };
}

/**
 * Opens what the plan needs and pushes each close step onto `shutdown`: the stores
 * (`openHostStores`: the database, migrated when `Database:Migrate`, with a readiness check
 * when saves reach it from this process, not required at start as the form is served from
 * cached reference data; the analytics store), then NATS when the save handler publishes
 * and `MessageQueue:Url` is set, otherwise the in-process bus. The publisher is bound
 * decorated by `ObservedEventPublisher` (latency, publish span).
 * With the outbox on (`plan.outbox`) the publisher goes to its relay too: on NATS the
 * messaging module is not loaded, so the message queue's readiness does not fail the web,
 * which still saves while NATS is away.
 *
 * @throws DatabaseUnavailableError when migrations cannot run; QueueUnavailableError when NATS cannot be reached.
 * @throws ConfigurationError when the chosen analytics store cannot be opened as configured.
 */
export async function openWebInfrastructure(
  settings: SignUpSettings,
  plan: WebPlan,
  host: { readonly logger: ILogger; readonly shutdown: ShutdownStack },
  observability: PublishObservability,
): Promise<OpenedInfrastructure> {
  const { logger, shutdown } = host;
  const { metrics, messagingTracer } = observability;
  const observe = (publisher: IEventPublisher, mode: PublishMode): IEventPublisher => new ObservedEventPublisher(publisher, metrics, mode, messagingTracer);
  const modules = await openHostStores(settings, plan.signUp, {
    logger, shutdown, requireDatabase: false, databaseReadiness: plan.signUp.needs('database', 'IProspectRepository'),
  });
  if (plan.inProcess) {
    const names = plan.handlers.map((handler) => handler.name).join(', ');
    logger.info(`Message queue: in-process bus (MessageQueue:Url is not set); in this process: ${names === '' ? 'no handler' : names}`);
    const bus = new InMemoryEventBus({ logger, tracer: messagingTracer });
    shutdown.push('the in-process bus', () => bus.close());
    const publisher = observe(bus, 'memory');
    modules.push(createInProcessMessagingModule(bus, publisher));
    return { modules, bus, ...(plan.outbox ? { outboxPublishing: { publisher } } : {}) };
  }
  if (plan.signUp.needs('eventPublisher') || plan.outbox) {
    const nats = await connectToMessageQueue(settings.messageQueue, logger);
    shutdown.push('the message queue connection', () => nats.drain());
    const messaging = await createNatsMessaging(nats, settings.messageQueue, logger);
    const publisher = observe(messaging.publisher, settings.messageQueue.mode);
    if (plan.outbox) return { modules, outboxPublishing: { publisher, queueCheck: messaging.healthCheck } };
    modules.push(createNatsMessagingModule({ ...messaging, publisher }));
  }
  return { modules };
}
