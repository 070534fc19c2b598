import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the outbox gauges read when scraped: the rows waiting and when the oldest was written. */
export interface OutboxBacklogSource {
  backlog(): Promise<{ readonly rows: number; readonly oldestCreatedAt?: Date }>;
}

// prom-client's default gauges nodejs_active_{handles,requests,resources}_total break the rule that only
// counters end in _total (promtool check metrics refuses them); the gauges of the same name without the
// suffix, per type, carry the same numbers (docs/observability.md).
const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Options of `WebMetrics`. */
export interface WebMetricsOptions {
  /** Collect prom-client's default process metrics (CPU, memory, event loop). Default true. */
  readonly defaultMetrics?: boolean;
}

/**
 * The web host's Prometheus metrics, in a registry of its own (never prom-client's
 * global one, so several apps can live in one process): default process metrics,
 * `http_requests_total` and `http_request_duration_seconds` by method, route and
 * status, `prospect_saves_total` by save handler, `signup_publish_duration_seconds` by
 * messaging mode and `signup_unavailable_responses_total` by cause (docs/observability.md),
 * and with the outbox on its four metrics (docs/operations.md, "The outbox").
 */
export class WebMetrics {
  readonly registry: Registry;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly durations: Histogram<'method' | 'route' | 'status'>;
  private readonly saves: Counter<'handler'>;
  private readonly publishes: Histogram<'mode'>;
  private readonly unavailable: Counter<'cause'>;

  constructor(options: WebMetricsOptions = {}) {
    this.registry = new Registry();
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      for (const name of MISNAMED_DEFAULT_GAUGES) this.registry.removeSingleMetric(name);
    }
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.durations = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.saves = new Counter({
      name: 'prospect_saves_total',
      help: 'Sign-ups accepted (saved or queued), by save handler.',
      labelNames: ['handler'],
      registers: [this.registry],
    });
    this.publishes = new Histogram({
      name: 'signup_publish_duration_seconds',
      help: 'Time to publish a sign-up event and, in JetStream mode, get the server\'s acknowledgement, by mode.',
      labelNames: ['mode'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.unavailable = new Counter({
      name: 'signup_unavailable_responses_total',
      help: '503 answers (nothing was saved), by what was away: queue, database, reference_data, ...',
      labelNames: ['cause'],
      registers: [this.registry],
    });
  }

  /** Records one publish (successful or not) of `mode`: `jetstream`, `core` or `memory`. */
  observePublish(mode: string, seconds: number): void {
    this.publishes.observe({ mode }, seconds);
  }

  /** Counts one 503 answer, by what was away (`queue`, `database`, ...). */
  countUnavailable(cause: string): void {
    this.unavailable.inc({ cause });
  }

  /** Records one answered request. `route` is the route pattern, never the raw path. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.durations.observe(labels, seconds);
  }

  /** Counts one sign-up the save handler accepted. */
  countSave(handler: string): void {
    this.saves.inc({ handler });
  }

  /**
   * Adds the outbox metrics: `signup_outbox_pending_rows` and
   * `signup_outbox_oldest_pending_age_seconds` (read from `source` at each scrape; they keep
   * their last value when the database does not answer), `signup_outbox_published_total` and
   * `signup_outbox_relay_errors_total{cause}`. Returns what the relay reports to. Call once.
   */
  observeOutbox(source: OutboxBacklogSource): { published(count: number): void; failed(cause: string): void } {
    let backlog: Promise<{ readonly rows: number; readonly oldestCreatedAt?: Date } | undefined> | undefined;
    // One query per scrape for both gauges.
    const read = (): Promise<{ readonly rows: number; readonly oldestCreatedAt?: Date } | undefined> => {
      backlog ??= source.backlog().catch(() => undefined).finally(() => {
        setImmediate(() => { backlog = undefined; });
      });
      return backlog;
    };
    new Gauge({
      name: 'signup_outbox_pending_rows',
      help: 'Sign-ups saved whose event waits in the outbox for the relay to publish it.',
      registers: [this.registry],
      async collect() {
        const current = await read();
        if (current !== undefined) this.set(current.rows);
      },
    });
    new Gauge({
      name: 'signup_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest outbox row, 0 when the outbox is empty.',
      registers: [this.registry],
      async collect() {
        const current = await read();
        if (current === undefined) return;
        this.set(current.oldestCreatedAt === undefined ? 0 : Math.max(0, (Date.now() - current.oldestCreatedAt.getTime()) / 1000));
      },
    });
    const published = new Counter({
      name: 'signup_outbox_published_total',
      help: 'Outbox rows the relay published (confirmed by the message queue) and deleted.',
      registers: [this.registry],
    });
    const errors = new Counter({
      name: 'signup_outbox_relay_errors_total',
      help: 'Outbox rows or rounds the relay could not publish, by cause: queue, database, undecodable.',
      labelNames: ['cause'],
      registers: [this.registry],
    });
    for (const cause of ['queue', 'database', 'undecodable']) errors.inc({ cause }, 0);
    return {
      published: (count) => published.inc(count),
      failed: (cause) => errors.inc({ cause }),
    };
  }

  /** The Content-Type of `render()`'s output. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text exposition format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
