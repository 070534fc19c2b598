import { Container, type ContainerModule } from 'inversify';
import { IHealthCheck, ILogger, IProspectAnalytics, IProspectSaveHandler, IReferenceDataLoader, SignUpProspect } from '@signup/domain';
import { ConfigurationError, type SignUpSettings } from '@signup/adapters/config';
import { createSignUpModule, describeChosen, SIGN_UP_PROSPECT_PORTS, type ConfigurablePort, type SignUpModule } from '@signup/adapters/di';
import { HANDLER_COMMANDS, type HandlerCommand, type HandlerDefinition } from '@signup/host-handler';
import type { AnalyticsCredentials, WebAppDependencies, WebAppOptions } from '../http/web-app-dependencies.js';
import type { WebMetrics } from '../http/web-metrics.js';
import { selectInProcessHandlers } from './in-process-handlers.js';
import { OutboxRelayService } from './outbox-relay-service.js';

/** What `main` opened before the container is built: the logger, the adapter modules and the readiness checks of this host. */
export interface WebInfrastructure {
  readonly logger: ILogger;
  /** `createSqlModule`, `createNatsMessagingModule` or `createInProcessMessagingModule`: what the configuration needs. */
  readonly modules: readonly ContainerModule[];
  /** Checks of this host's own (the reference data, the in-process subscriptions), beside those the modules bind. */
  readonly healthChecks: readonly IHealthCheck[];
}

/** Replacements for configured implementations, for tests and embedders. */
export interface ContainerOverrides {
  readonly referenceDataLoader?: IReferenceDataLoader;
  readonly saveHandler?: IProspectSaveHandler;
}

/** What the web host needs, decided once from the settings through the implementation registry. */
export interface WebPlan {
  readonly signUp: SignUpModule;
  /** Publishing without `MessageQueue:Url`: the in-process bus, with `handlers` in this process. */
  readonly inProcess: boolean;
  /** The handlers the all-in-one runs in this process (`Handlers:InProcess`); empty unless `inProcess`. */
  readonly handlers: readonly HandlerDefinition[];
  /** The synchronous save writes the outbox and this host relays it (`OutboxRelayService.isEnabled`). */
  readonly outbox: boolean;
}

/** What to plan with beside the settings. */
export interface WebPlanOptions {
  readonly overrides?: ContainerOverrides;
  /** The command table whose handlers the all-in-one may run in its process; `signup-handler`'s by default. */
  readonly commands?: readonly HandlerCommand[];
}

/** The analytics read the store `Dependencies:IProspectIndex` chooses (docs/analytics.md). */
const ANALYTICS_PORTS: readonly ConfigurablePort[] = ['IProspectIndex'];

/**
 * The ports the web resolves (`SignUpProspect`'s, and the analytics store's when
 * `Analytics:Password` is set), and, when the chosen save handler publishes and no
 * `MessageQueue:Url` is set, those of the handlers `Handlers:InProcess` selects from the
 * command table, which then run in this process (with the analytics store, as the
 * all-in-one's analytics are on with a generated password when none is set), with the
 * implementations the registry chooses for them. The synchronous save with the outbox on
 * publishes too (through its relay), so it gets the same bus.
 *
 * @throws ConfigurationError for an unknown implementation name, a key the chosen one needs, an unknown handler, or
 *   an asynchronous all-in-one whose `Handlers:InProcess` leaves out every handler that stores sign-ups.
 */
export function planWebHost(settings: SignUpSettings, options: WebPlanOptions = {}): WebPlan {
  const { overrides = {} } = options;
  const moduleOptions = { overrides: { IProspectSaveHandler: overrides.saveHandler, IReferenceDataLoader: overrides.referenceDataLoader } };
  const analytics = settings.analyticsLogin.password === undefined ? [] : ANALYTICS_PORTS;
  const web = createSignUpModule(settings, { ...moduleOptions, ports: [...SIGN_UP_PROSPECT_PORTS, ...analytics] });
  const outbox = overrides.saveHandler === undefined
    && OutboxRelayService.isEnabled({ settings, saveHandler: web.chosen.IProspectSaveHandler, repository: web.chosen.IProspectRepository });
  if (!(web.needs('eventPublisher') || outbox) || settings.messageQueue.url !== undefined) return { signUp: web, inProcess: false, handlers: [], outbox };
  const commands = options.commands ?? HANDLER_COMMANDS;
  const handlers = selectInProcessHandlers(settings, commands);
  if (web.needs('eventPublisher') && !handlers.some((handler) => handler.storesSignUps === true)) {
    const storing = commands.filter((command) => command.definition?.storesSignUps === true).map((command) => command.name).join(', ');
    throw new ConfigurationError('Handlers:InProcess',
      `Handlers:InProcess = "${(settings.handlers.inProcess ?? []).join(',') || 'none'}" runs no handler that stores sign-ups (${storing || 'none in the command table'}); `
      + 'with the asynchronous save and no MessageQueue:Url every sign-up would be accepted and never stored: add it, or set MessageQueue:Url');
  }
  // A synchronous web with no handler in its process has nobody to relay its outbox to: the plain save.
  if (handlers.length === 0) return { signUp: web, inProcess: false, handlers: [], outbox: false };
  const ports = [...SIGN_UP_PROSPECT_PORTS, ...ANALYTICS_PORTS, ...handlers.flatMap((handler) => handler.ports)];
  return { signUp: createSignUpModule(settings, { ...moduleOptions, ports }), inProcess: true, handlers, outbox };
}

/**
 * The web host's container: the SignUp module with the implementations the plan chose (or
 * the overrides), the modules of the in-process handlers, the adapter modules and the
 * host's health checks. Logs the chosen mapping in one line. No I/O.
 */
export function buildContainer(plan: WebPlan, infrastructure: WebInfrastructure): Container {
  const { signUp } = plan;
  const container = new Container();
  container.load(signUp.module, ...plan.handlers.flatMap((handler) => handler.modules ?? []), ...infrastructure.modules);
  container.bind(ILogger).toConstantValue(infrastructure.logger);
  for (const check of infrastructure.healthChecks) container.bind(IHealthCheck).toConstantValue(check);
  infrastructure.logger.info(`Dependencies: ${describeChosen(signUp.chosen)}`);
  for (const warning of signUp.warnings) infrastructure.logger.warn(warning);
  return container;
}

/** What `createApp` needs that the container does not hold. */
export interface AppContext {
  readonly logger: ILogger;
  readonly metrics: WebMetrics;
  readonly options?: WebAppOptions;
  /** Who may read the analytics; absent: they are off (their routes answer 404). */
  readonly analyticsCredentials?: AnalyticsCredentials;
}

/** The web app's dependencies, resolved from the built container. */
export function resolveAppDependencies(container: Container, context: AppContext): WebAppDependencies {
  return {
    signUp: container.get(SignUpProspect),
    referenceData: container.get<IReferenceDataLoader>(IReferenceDataLoader),
    healthChecks: container.getAll<IHealthCheck>(IHealthCheck),
    logger: context.logger,
    metrics: context.metrics,
    saveHandlerName: container.get<IProspectSaveHandler>(IProspectSaveHandler).name,
    ...(context.options === undefined ? {} : { options: context.options }),
    ...(context.analyticsCredentials === undefined
      ? {}
      : { analytics: { store: container.get<IProspectAnalytics>(IProspectAnalytics), credentials: context.analyticsCredentials } }),
  };
}
