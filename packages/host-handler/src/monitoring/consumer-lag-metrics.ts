import { SIGNUP_DEADLETTER_STREAM, type ConsumerLagSample, type NatsConnection } from '@signup/adapters/nats';
import type { ILogger } from '@signup/domain';
import type { HandlerHostAdapters } from '../composition/handler-host-adapters.js';
import type { ShutdownStack } from '@signup/adapters/hosting';
import type { HandlerMetrics } from './handler-metrics.js';

/**
 * Samples the handler's durable consumer every `intervalMs` into the lag gauges of
 * `/metrics` (pending, ack-pending, redelivered, dead letters stored), until `shutdown`
 * runs. Started before the handler subscribes, so the first sample shows the backlog it
 * starts with. A failed sample is logged at debug and the next one tried.
 */
export function startConsumerLagMetrics(
  createConsumerLag: HandlerHostAdapters['createConsumerLag'],
  connection: NatsConnection,
  options: { readonly consumer: string; readonly intervalMs: number; readonly metrics: HandlerMetrics; readonly logger: ILogger; readonly shutdown: ShutdownStack },
): void {
  const { metrics, logger } = options;
  const lag = createConsumerLag(connection, {
    consumer: options.consumer,
    intervalMs: options.intervalMs,
    onSample: (sample) => setLagGauges(metrics, sample),
    onError: (error) => logger.debug('Cannot read the consumer backlog for /metrics', { error }),
  });
  lag.start();
  options.shutdown.push('consumer lag sampling', () => lag.stop());
}

function setLagGauges(metrics: HandlerMetrics, sample: ConsumerLagSample): void {
  const labels = { stream: sample.stream, consumer: sample.consumer };
  metrics.consumerPending.set(labels, sample.pending);
  metrics.consumerAckPending.set(labels, sample.ackPending);
  metrics.consumerRedelivered.set(labels, sample.redelivered);
  metrics.deadLetters.set({ stream: SIGNUP_DEADLETTER_STREAM }, sample.deadLetters);
}
