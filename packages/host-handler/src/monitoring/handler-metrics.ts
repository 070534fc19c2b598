import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** The handler host's metrics, in a registry of its own (never the prom-client global one). */
export interface HandlerMetrics {
  readonly registry: Registry;
  /** `message_handler_events{handler,status}`: events handled, by outcome (saved, rejected, retried). */
  readonly events: Counter<'handler' | 'status'>;
}

/**
 * Creates the handler host's registry and counters. With `defaultMetrics` the
 * process metrics (CPU, memory, event loop lag) are collected too, which starts
 * timers; leave it off when nothing will scrape them.
 */
export function createHandlerMetrics(options: { defaultMetrics: boolean }): HandlerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const events = new Counter({
    name: 'message_handler_events',
    help: 'Events handled by a message handler, by outcome: saved, rejected (dead-lettered) or retried.',
    labelNames: ['handler', 'status'] as const,
    registers: [registry],
  });
  return { registry, events };
}
