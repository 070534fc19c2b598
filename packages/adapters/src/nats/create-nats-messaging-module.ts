import { IEventPublisher, IEventSubscriber, IHealthCheck } from '@signup/domain';
import { ContainerModule } from 'inversify';
import type { NatsMessaging } from './create-nats-messaging.js';

/**
 * The NATS messaging module: binds what `createNatsMessaging` built for one
 * connection: its publisher as `IEventPublisher`, its subscriber as
 * `IEventSubscriber` and its readiness check (the connection and every
 * subscription) as an `IHealthCheck`. A host loads it when it has
 * `MessageQueue:Url` and something publishes or subscribes. No I/O.
 */
export function createNatsMessagingModule(messaging: NatsMessaging): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(IEventPublisher).toConstantValue(messaging.publisher);
    bind(IEventSubscriber).toConstantValue(messaging.subscriber);
    bind(IHealthCheck).toConstantValue(messaging.healthCheck);
  });
}
