import type { IEventPublisher, IEventSubscriber, IHealthCheck, ILogger } from '@signup/domain';
import { CoreNatsEventPublisher } from './core-nats-event-publisher.js';
import { CoreNatsEventSubscriber, type CoreNatsEventSubscriberOptions } from './core-nats-event-subscriber.js';
import { JetStreamEventPublisher, type JetStreamEventPublisherOptions } from './jetstream-event-publisher.js';
import { JetStreamEventSubscriber, type JetStreamEventSubscriberOptions } from './jetstream-event-subscriber.js';
import type { MessageQueueSettings, NatsConnection } from './nats-connection.js';
import { NatsHealthCheck, type NatsHealthCheckOptions } from './nats-health-check.js';
import { ensureSignUpStream } from './signup-stream.js';

/** The messaging adapters for one NATS connection, as `createNatsMessaging` builds them. */
export interface NatsMessaging {
  readonly publisher: IEventPublisher;
  readonly subscriber: IEventSubscriber;
  /** Readiness of the connection and of every subscription made through `subscriber`. */
  readonly healthCheck: IHealthCheck;
}

/** Tuning passed on to the adapters `createNatsMessaging` builds. */
export interface NatsMessagingOptions {
  readonly publisher?: JetStreamEventPublisherOptions;
  readonly subscriber?: JetStreamEventSubscriberOptions & CoreNatsEventSubscriberOptions;
  readonly healthCheck?: Omit<NatsHealthCheckOptions, 'subscriptions'>;
}

/**
 * Builds the publisher, subscriber and health check for `MessageQueue:Mode`:
 * `jetstream` (default) first creates or updates the SignUp streams with
 * `MessageQueue:Replicas`, `MessageQueue:MaxAge` and `MessageQueue:MaxBytes` (see
 * `ensureSignUpStream`), then uses
 * `JetStreamEventPublisher`/`JetStreamEventSubscriber`; `core` uses plain NATS
 * (`CoreNatsEventPublisher`/`CoreNatsEventSubscriber`) and touches no stream. Both
 * publishers encode events as `MessageQueue:Encoding` says, unless `options.publisher`
 * names an encoding.
 *
 * @throws QueueUnavailableError in `jetstream` mode when the streams cannot be ensured.
 */
export async function createNatsMessaging(
  nc: NatsConnection,
  settings: Pick<MessageQueueSettings, 'mode'> & Partial<Pick<MessageQueueSettings, 'replicas' | 'encoding' | 'maxAgeMs' | 'maxBytes'>>,
  logger: ILogger,
  options: NatsMessagingOptions = {},
): Promise<NatsMessaging> {
  const publisherOptions = { encoding: settings.encoding, ...options.publisher };
  if (settings.mode === 'core') {
    const subscriber = new CoreNatsEventSubscriber(nc, logger, options.subscriber);
    return {
      publisher: new CoreNatsEventPublisher(nc, publisherOptions),
      subscriber,
      healthCheck: new NatsHealthCheck(nc, { ...options.healthCheck, subscriptions: () => subscriber.subscriptions }),
    };
  }
  const retention = { maxAgeMs: settings.maxAgeMs, maxBytes: settings.maxBytes };
  await ensureSignUpStream(nc, { replicas: settings.replicas, ...retention });
  // A subscription that finds the streams gone creates them again with the same replicas and limits.
  const subscriber = new JetStreamEventSubscriber(nc, logger, { replicas: settings.replicas, retention, ...options.subscriber });
  return {
    publisher: new JetStreamEventPublisher(nc, publisherOptions),
    subscriber,
    healthCheck: new NatsHealthCheck(nc, { ...options.healthCheck, subscriptions: () => subscriber.subscriptions }),
  };
}
