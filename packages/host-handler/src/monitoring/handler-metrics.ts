import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// prom-client's default gauges nodejs_active_{handles,requests,resources}_total break the rule that only
// counters end in _total (promtool check metrics refuses them); the gauges of the same name without the
// suffix, per type, carry the same numbers (docs/observability.md).
const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** The handler host's metrics, in a registry of its own (never the prom-client global one). */
export interface HandlerMetrics {
  readonly registry: Registry;
  /** `message_handler_events_total{handler,status}`: events handled, by outcome (`done`, `rejected`, `retry`). */
  readonly events: Counter<'handler' | 'status'>;
  /** `signup_handler_batch_size{handler}`: events per batch handed to the handler. */
  readonly batchSize: Histogram<'handler'>;
  /** `signup_handler_batch_duration_seconds{handler}`: time to handle a batch, database write included. */
  readonly batchDuration: Histogram<'handler'>;
  /** `signup_publish_to_commit_seconds{handler}`: from an event's `SignedUpAt` to the end of the batch that stored it. */
  readonly publishToCommit: Histogram<'handler'>;
  /** `signup_consumer_pending_messages{stream,consumer}`: messages the consumer has not been sent yet. */
  readonly consumerPending: Gauge<'stream' | 'consumer'>;
  /** `signup_consumer_ack_pending_messages{stream,consumer}`: sent and not acknowledged yet. */
  readonly consumerAckPending: Gauge<'stream' | 'consumer'>;
  /** `signup_consumer_redelivered_messages{stream,consumer}`: delivered more than once and not acknowledged yet. */
  readonly consumerRedelivered: Gauge<'stream' | 'consumer'>;
  /** `signup_dead_letter_messages{stream}`: messages kept in the dead-letter stream (all handlers). */
  readonly deadLetters: Gauge<'stream'>;
  /** `signup_handler_ready{handler}`: 1 when `/health/ready` would answer 200, else 0. */
  readonly ready: Gauge<'handler'>;
}

/** Options of `createHandlerMetrics`. */
export interface HandlerMetricsOptions {
  readonly defaultMetrics: boolean;
  /** Sets `signup_handler_ready` at each scrape: the handler's name and whether it is ready. */
  readonly readiness?: { readonly handler: string; readonly ready: () => Promise<boolean> };
}

/**
 * Creates the handler host's registry, counters, histograms and gauges (see
 * docs/observability.md for each). With `defaultMetrics` the process metrics (CPU,
 * memory, event loop lag) are collected too, which starts timers; leave it off when
 * nothing will scrape them.
 */
export function createHandlerMetrics(options: HandlerMetricsOptions): HandlerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) {
    collectDefaultMetrics({ register: registry });
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  const registers = [registry];
  const { readiness } = options;
  const lag = (name: string, help: string): Gauge<'stream' | 'consumer'> => new Gauge({ name, help, labelNames: ['stream', 'consumer'] as const, registers });
  return {
    registry,
    events: new Counter({
      name: 'message_handler_events_total',
      help: 'Events handled by a message handler, by outcome: done, rejected (dead-lettered) or retry.',
      labelNames: ['handler', 'status'] as const,
      registers,
    }),
    batchSize: new Histogram({
      name: 'signup_handler_batch_size',
      help: 'Events per batch handed to a message handler.',
      labelNames: ['handler'] as const,
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'signup_handler_batch_duration_seconds',
      help: 'Time a message handler took to handle a batch, database write included.',
      labelNames: ['handler'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    publishToCommit: new Histogram({
      name: 'signup_publish_to_commit_seconds',
      help: 'Time from a sign-up (its SignedUpAt) to the commit of the batch that stored it.',
      labelNames: ['handler'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    consumerPending: lag('signup_consumer_pending_messages', 'Messages of the stream the durable consumer has not been sent yet (sampled).'),
    consumerAckPending: lag('signup_consumer_ack_pending_messages', 'Messages sent to the consumer and not acknowledged yet (sampled).'),
    consumerRedelivered: lag('signup_consumer_redelivered_messages', 'Messages delivered more than once and not acknowledged yet (sampled).'),
    deadLetters: new Gauge({
      name: 'signup_dead_letter_messages',
      help: 'Messages kept in the dead-letter stream, all handlers (sampled).',
      labelNames: ['stream'] as const,
      registers,
    }),
    ready: new Gauge({
      name: 'signup_handler_ready',
      help: '1 when the handler is ready (as /health/ready), else 0.',
      labelNames: ['handler'] as const,
      registers,
      async collect() {
        if (readiness !== undefined) this.set({ handler: readiness.handler }, await readiness.ready() ? 1 : 0);
      },
    }),
  };
}
