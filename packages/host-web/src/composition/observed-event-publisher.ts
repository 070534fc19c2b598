import { type IEventPublisher, type ProspectSignedUpEvent } from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import type { MessagingTracer } from '@signup/adapters/tracing';
import type { WebMetrics } from '../http/web-metrics.js';

/** How the web publishes: the `mode` label of `signup_publish_duration_seconds`. */
export type PublishMode = 'jetstream' | 'core' | 'memory';

/**
 * Decorates the web's publisher: times every publish (successful or not) into
 * `signup_publish_duration_seconds{mode}`, and with tracing on runs it inside the
 * `publish events.prospect.signedup` PRODUCER span, which the inner publisher's trace
 * context (NATS headers, the in-process bus's record) then names as the parent.
 * Errors pass through unchanged.
 */
export class ObservedEventPublisher implements IEventPublisher {
  constructor(
    private readonly inner: IEventPublisher,
    private readonly metrics: WebMetrics,
    private readonly mode: PublishMode,
    private readonly tracer?: MessagingTracer,
  ) {}

  async publish(event: ProspectSignedUpEvent): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await (this.tracer === undefined
        ? this.inner.publish(event)
        : this.tracer.publish(PROSPECT_SIGNED_UP_SUBJECT, event.correlationId, () => this.inner.publish(event)));
    } finally {
      this.metrics.observePublish(this.mode, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}
