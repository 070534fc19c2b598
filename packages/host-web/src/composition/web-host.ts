import type { Tracer } from '@opentelemetry/api';
import type Koa from 'koa';
import { MessagingTracer } from '@signup/adapters/tracing';
import {
  IEventSubscriber, IndexProspectEventHandler, IProspectSaveHandler, IReferenceDataLoader, SaveProspectEventHandler, SignUpProspect, type ILogger,
} from '@signup/domain';
import type { SignUpSettings } from '@signup/adapters/config';
import { resolveAnalyticsCredentials } from '../http/analytics-credentials.js';
import { createApp } from '../http/create-app.js';
import type { WebAppOptions } from '../http/web-app-dependencies.js';
import { WebMetrics } from '../http/web-metrics.js';
import { WebServer } from '../http/web-server.js';
import { referenceDataHealthCheck } from '../http/reference-data-health-check.js';
import { buildContainer, planWebHost, resolveAppDependencies, type ContainerOverrides } from './build-container.js';
import { openWebInfrastructure } from './open-web-infrastructure.js';
import { OutboxRelayService } from './outbox-relay-service.js';
import { TracedSignUpProspect } from './traced-sign-up-prospect.js';
import { WebResources } from './web-resources.js';

/** How the host is put together, beyond the settings. */
export interface WebHostOptions {
  readonly logger: ILogger;
  readonly overrides?: ContainerOverrides;
  readonly metrics?: WebMetrics;
  readonly app?: WebAppOptions;
  /**
   * From `startTracing`, when tracing is on: the app makes a span per request, the validation
   * and the publish get spans, and the trace context travels with the event.
   */
  readonly tracer?: Tracer | undefined;
  /** How long `stop` lets open requests finish before closing their connections. Default 10 s. */
  readonly shutdownGraceMs?: number;
}

/**
 * The composition root of `signup-web`. `create` asks the implementation registry what
 * the configuration needs and opens it (knex with migrations when a chosen implementation
 * needs the database; NATS, or for the all-in-one the in-process bus with the save and
 * index handlers subscribed to it in this process, when the save handler publishes, or when
 * the synchronous save writes the outbox, whose relay this host runs: `OutboxRelayService`),
 * builds the container and the Koa app, and warms the reference data. `listen` serves
 * it; `stop` undoes everything in reverse order.
 */
export class WebHost {
  private readonly server: WebServer;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly app: Koa,
    readonly metrics: WebMetrics,
    private readonly resources: WebResources,
    private readonly shutdownGraceMs: number,
  ) {
    this.server = new WebServer(app, shutdownGraceMs);
  }

  /**
   * Opens connections and builds the app. On failure, closes whatever it opened and rethrows.
   *
   * @throws ConfigurationError for a bad implementation name or connection string.
   * @throws DatabaseUnavailableError when migrations cannot run; QueueUnavailableError when NATS cannot be reached.
   */
  static async create(settings: SignUpSettings, options: WebHostOptions): Promise<WebHost> {
    const { logger, overrides = {} } = options;
    const plan = planWebHost(settings, overrides);
    const resources = new WebResources(logger);
    try {
      const built: { referenceData?: IReferenceDataLoader } = {};
      const metrics = options.metrics ?? new WebMetrics();
      const { tracer } = options;
      const messagingTracer = tracer === undefined ? undefined : new MessagingTracer(tracer);
      const opened = await openWebInfrastructure(settings, plan, resources, logger, { metrics, messagingTracer });
      const outbox = opened.outboxPublishing === undefined || resources.knex === undefined
        ? undefined
        : OutboxRelayService.open(resources.knex, opened.outboxPublishing.publisher, {
          settings, logger, metrics, ...(opened.outboxPublishing.queueCheck === undefined ? {} : { queueCheck: opened.outboxPublishing.queueCheck }),
        });
      const healthChecks = [referenceDataHealthCheck(() => built.referenceData), ...opened.healthChecks, ...(outbox === undefined ? [] : [outbox.healthCheck])];
      const container = buildContainer(settings, { logger, modules: opened.modules, healthChecks }, overrides);
      if (plan.inProcess) {
        await resources.subscribe(container.get(IEventSubscriber), [container.get(SaveProspectEventHandler), container.get(IndexProspectEventHandler)]);
      }
      const referenceData = container.get<IReferenceDataLoader>(IReferenceDataLoader);
      built.referenceData = referenceData;
      await referenceData.load().catch((error: unknown) => {
        logger.warn('Reference data could not be loaded at start; the form answers 503 until it can be', { error });
      });

      const analyticsCredentials = resolveAnalyticsCredentials(settings.analyticsAccess, { generatePassword: plan.inProcess }, logger);
      const appOptions = tracer === undefined ? options.app : { ...options.app, tracer };
      const resolved = resolveAppDependencies(container, { logger, metrics, options: appOptions, analyticsCredentials });
      const saveHandler = outbox?.saveHandler ?? container.get<IProspectSaveHandler>(IProspectSaveHandler);
      const app = createApp(tracer === undefined && outbox === undefined
        ? resolved
        : { ...resolved, signUp: new (tracer === undefined ? SignUpProspect : TracedSignUpProspect)(resolved.referenceData, saveHandler) });
      if (outbox !== undefined) {
        resources.outboxRelay = outbox;
        outbox.start();
      }
      return new WebHost(app, metrics, resources, options.shutdownGraceMs ?? 10_000);
    } catch (error) {
      await resources.release();
      throw error;
    }
  }

  /** Starts serving; resolves with the port once listening. */
  listen(port: number, host?: string): Promise<number> {
    return this.server.listen(port, host);
  }

  /**
   * Stops taking requests and lets open ones finish, gives the in-process handlers
   * time to store what they hold (both within the grace period), then stops them
   * and closes the connections.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.server.close();
      await this.resources.drainInProcessBus(this.shutdownGraceMs);
      await this.resources.release();
    })();
    return this.stopping;
  }
}
