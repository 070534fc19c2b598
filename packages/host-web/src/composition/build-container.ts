import { Container, type ContainerModule } from 'inversify';
import { IHealthCheck, ILogger, IProspectAnalytics, IProspectSaveHandler, IReferenceDataLoader, SignUpProspect } from '@signup/domain';
import type { SignUpSettings } from '@signup/adapters/config';
import { createSignUpModule, describeChosen, USE_CASE_PORTS, type SignUpModule } from '@signup/adapters/di';
import type { AnalyticsCredentials, WebAppDependencies, WebAppOptions } from '../http/web-app-dependencies.js';
import type { WebMetrics } from '../http/web-metrics.js';
import { OutboxRelayService } from './outbox-relay-service.js';

/** What `main` opened before the container is built: the logger, the adapter modules and the readiness checks of this host. */
export interface WebInfrastructure {
  readonly logger: ILogger;
  /** `createSqlModule`, `createNatsMessagingModule` or `createInProcessMessagingModule`: what the configuration needs. */
  readonly modules: readonly ContainerModule[];
  /** Checks of this host's own (the reference data, the in-process subscription), beside those the modules bind. */
  readonly healthChecks: readonly IHealthCheck[];
}

/** Replacements for configured implementations, for tests and embedders. */
export interface ContainerOverrides {
  readonly referenceDataLoader?: IReferenceDataLoader;
  readonly saveHandler?: IProspectSaveHandler;
}

/** What the web host needs, decided from the settings through the implementation registry. */
export interface WebPlan {
  readonly signUp: SignUpModule;
  /** Publishing without `MessageQueue:Url`: the in-process bus, with the save and index handlers in this process. */
  readonly inProcess: boolean;
  /** The synchronous save writes the outbox and this host relays it (`OutboxRelayService.isEnabled`). */
  readonly outbox: boolean;
}

/**
 * The ports the web resolves (`SignUpProspect`'s, and the analytics store's when
 * `Analytics:Password` is set), and, when the chosen save handler publishes and no
 * `MessageQueue:Url` is set, those of the save and index handlers it then runs
 * in-process too (the analytics store among them, as the all-in-one's analytics are on
 * with a generated password when none is set), with the implementations the registry
 * chooses for them. The synchronous save with the outbox on publishes too (through its
 * relay), so it gets the same bus.
 *
 * @throws ConfigurationError for an unknown implementation name or a key the chosen one needs.
 */
export function planWebHost(settings: SignUpSettings, overrides: ContainerOverrides = {}): WebPlan {
  const options = { overrides: { IProspectSaveHandler: overrides.saveHandler, IReferenceDataLoader: overrides.referenceDataLoader } };
  const analytics = settings.analyticsAccess.password === undefined ? [] : USE_CASE_PORTS.ProspectAnalytics;
  const web = createSignUpModule(settings, { ...options, ports: [...USE_CASE_PORTS.SignUpProspect, ...analytics] });
  const outbox = overrides.saveHandler === undefined
    && OutboxRelayService.isEnabled({ settings, saveHandler: web.chosen.IProspectSaveHandler, repository: web.chosen.IProspectRepository });
  if (!(web.needs('eventPublisher') || outbox) || settings.messageQueue.url !== undefined) return { signUp: web, inProcess: false, outbox };
  const ports = [...USE_CASE_PORTS.SignUpProspect, ...USE_CASE_PORTS.SaveProspectEventHandler, ...USE_CASE_PORTS.IndexProspectEventHandler];
  return { signUp: createSignUpModule(settings, { ...options, ports }), inProcess: true, outbox };
}

/**
 * The web host's container: the SignUp module with the implementations the settings
 * choose (or the overrides), the adapter modules and the host's health checks. Logs the
 * chosen mapping in one line. No I/O.
 *
 * @throws ConfigurationError for an unknown implementation name or a key the chosen one needs.
 */
export function buildContainer(settings: SignUpSettings, infrastructure: WebInfrastructure, overrides: ContainerOverrides = {}): Container {
  const { signUp } = planWebHost(settings, overrides);
  const container = new Container();
  container.load(signUp.module, ...infrastructure.modules);
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
