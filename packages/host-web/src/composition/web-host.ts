import type { Tracer } from '@opentelemetry/api';
import type Koa from 'koa';
import { ShutdownStack } from '@signup/adapters/hosting';
import { MessagingTracer } from '@signup/adapters/tracing';
import { IHealthCheck, IProspectSaveHandler, IReferenceDataLoader, SignUpProspect, type ILogger } from '@signup/domain';
import { SqlConnection } from '@signup/adapters/sql';
import type { SignUpSettings } from '@signup/adapters/config';
import type { HandlerCommand } from '@signup/host-handler';
import { resolveAnalyticsCredentials, type AnalyticsCredentialsPolicy } from '../http/analytics-credentials.js';
import { createApp } from '../http/create-app.js';
import type { WebAppOptions } from '../http/web-app-dependencies.js';
import { WebMetrics } from '../http/web-metrics.js';
import { WebServer } from '../http/web-server.js';
import { referenceDataHealthCheck } from '../http/reference-data-health-check.js';
import { buildContainer, planWebHost, resolveAppDependencies, type ContainerOverrides } from './build-container.js';
import { drainInProcessBus, InProcessHandlers } from './in-process-handlers.js';
import { openWebInfrastructure } from './open-web-infrastructure.js';
import { OutboxRelayService } from './outbox-relay-service.js';
import { TracedSignUpProspect } from './traced-sign-up-prospect.js';

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
  /** The command table whose handlers the all-in-one runs in its process (`Handlers:InProcess`); `signup-handler`'s by default. */
  readonly handlerCommands?: readonly HandlerCommand[];
  /** Where a generated analytics password goes; by default as `resolveAnalyticsCredentials` says. */
  readonly analyticsPassword?: Pick<AnalyticsCredentialsPolicy, 'terminal' | 'passwordFile'>;
}

/**
 * The composition root of `signup-web`. `create` plans once what the configuration needs
 * (`planWebHost`), opens it (`openWebInfrastructure`: the stores, and NATS or, for the
 * all-in-one, the in-process bus), builds the container and starts what runs beside the
 * requests (the in-process handlers `Handlers:InProcess` selects, and the outbox relay
 * when the synchronous save writes the outbox: `OutboxRelayService`), builds the Koa app and
 * warms the reference data. Everything opened or started pushes its close step onto one
 * `ShutdownStack`; `listen` serves, and `stop` runs the stack in reverse.
 */
export class WebHost {
  private readonly server: WebServer;

  private constructor(
    readonly app: Koa,
    readonly metrics: WebMetrics,
    private readonly shutdown: ShutdownStack,
    shutdownGraceMs: number,
  ) {
    this.server = new WebServer(app, shutdownGraceMs);
  }

  /**
   * Opens connections and builds the app. On failure, closes whatever it opened and rethrows.
   *
   * @throws ConfigurationError for a bad implementation name, connection string or `Handlers:InProcess`.
   * @throws DatabaseUnavailableError when migrations cannot run; QueueUnavailableError when NATS cannot be reached.
   */
  static async create(settings: SignUpSettings, options: WebHostOptions): Promise<WebHost> {
    const { logger, overrides = {} } = options;
    const graceMs = options.shutdownGraceMs ?? 10_000;
    const plan = planWebHost(settings, { overrides, ...(options.handlerCommands === undefined ? {} : { commands: options.handlerCommands }) });
    const shutdown = new ShutdownStack(logger);
    try {
      const built: { referenceData?: IReferenceDataLoader } = {};
      const metrics = options.metrics ?? new WebMetrics();
      const { tracer } = options;
      const messagingTracer = tracer === undefined ? undefined : new MessagingTracer(tracer);
      const opened = await openWebInfrastructure(settings, plan, { logger, shutdown }, { metrics, messagingTracer });
      const handlers = new InProcessHandlers(plan.handlers);
      const healthChecks = [referenceDataHealthCheck(() => built.referenceData), ...handlers.healthChecks()];
      const container = buildContainer(plan, { logger, modules: opened.modules, healthChecks });

      // What runs beside the requests starts here, each with its readiness and its close step.
      if (opened.bus !== undefined) {
        for (const check of await handlers.start(container, settings, { logger, shutdown })) container.bind(IHealthCheck).toConstantValue(check);
        // Runs after the server and the outbox relay have stopped: the handlers store what the bus still holds.
        shutdown.push('the in-process bus drain', drainInProcessBus(opened.bus, graceMs, logger));
      }
      const outboxPublishing = opened.outboxPublishing;
      const outbox = outboxPublishing === undefined
        ? undefined
        : OutboxRelayService.open(container.get<SqlConnection>(SqlConnection), outboxPublishing.publisher, {
          settings, logger, metrics, ...(outboxPublishing.queueCheck === undefined ? {} : { queueCheck: outboxPublishing.queueCheck }),
        });
      if (outbox !== undefined) container.bind(IHealthCheck).toConstantValue(outbox.healthCheck);

      const referenceData = container.get<IReferenceDataLoader>(IReferenceDataLoader);
      built.referenceData = referenceData;
      await referenceData.load().catch((error: unknown) => {
        logger.warn('Reference data could not be loaded at start; the form answers 503 until it can be', { error });
      });

      const analyticsCredentials = resolveAnalyticsCredentials(settings.analyticsLogin, { ...options.analyticsPassword, generatePassword: plan.inProcess }, logger);
      const appOptions = tracer === undefined ? options.app : { ...options.app, tracer };
      const resolved = resolveAppDependencies(container, { logger, metrics, options: appOptions, analyticsCredentials });
      const saveHandler = outbox?.saveHandler ?? container.get<IProspectSaveHandler>(IProspectSaveHandler);
      const app = createApp(tracer === undefined && outbox === undefined
        ? resolved
        : { ...resolved, signUp: new (tracer === undefined ? SignUpProspect : TracedSignUpProspect)(resolved.referenceData, saveHandler) });
      if (outbox !== undefined) {
        outbox.start();
        // Stopped before what it publishes through (the stack runs newest first).
        shutdown.push('the outbox relay', () => outbox.stop());
      }
      return new WebHost(app, metrics, shutdown, graceMs);
    } catch (error) {
      await shutdown.run();
      throw error;
    }
  }

  /** Starts serving; resolves with the port once listening. The server closes first when stopping. */
  listen(port: number, host?: string): Promise<number> {
    this.shutdown.push('the web server', () => this.server.close());
    return this.server.listen(port, host);
  }

  /**
   * Runs the shutdown stack, newest first: stops taking requests and lets open ones
   * finish, stops the outbox relay after its round in progress, gives the in-process
   * handlers time to store what the bus holds (both waits within the grace period), stops
   * them, then closes the bus or NATS and the stores. Resolves true when everything closed
   * cleanly; never rejects; runs once.
   */
  stop(): Promise<boolean> {
    return this.shutdown.run();
  }
}
