import { Container } from 'inversify';
import {
  IEventPublisher,
  IEventSubscriber,
  IHealthCheck,
  ILogger,
  IProspectRepository,
  IProspectSaveHandler,
  IReferenceDataLoader,
} from '@signup/domain';
import type { SignUpSettings } from '@signup/adapters/config';
import { createSignUpModule, describeChosen } from '@signup/adapters/di';
import { SqlConnection } from '@signup/adapters/sql';

/** The connections and adapters `main` opened before the container is built; bound as constants. */
export interface WebInfrastructure {
  readonly logger: ILogger;
  /** The knex instance; no query runs until something needs the database. */
  readonly sql: SqlConnection;
  readonly prospectRepository: IProspectRepository;
  /** Needed by the asynchronous save handler: NATS or the in-process bus. */
  readonly eventPublisher?: IEventPublisher;
  readonly eventSubscriber?: IEventSubscriber;
  /** What readiness checks for this configuration (database, message queue, in-process subscription). */
  readonly healthChecks: readonly IHealthCheck[];
}

/** Replacements for configured implementations, for tests and embedders. */
export interface ContainerOverrides {
  readonly referenceDataLoader?: IReferenceDataLoader;
  readonly saveHandler?: IProspectSaveHandler;
}

/**
 * The web host's container: the SignUp module with the implementations the
 * settings choose, the infrastructure as constants, then the overrides. Logs the
 * chosen mapping in one line. No I/O.
 *
 * @throws ConfigurationError for an unknown implementation name or a key the chosen one needs.
 */
export function buildContainer(settings: SignUpSettings, infrastructure: WebInfrastructure, overrides: ContainerOverrides = {}): Container {
  const { module, chosen } = createSignUpModule(settings);
  const container = new Container();
  container.load(module);

  container.bind(ILogger).toConstantValue(infrastructure.logger);
  container.bind(SqlConnection).toConstantValue(infrastructure.sql);
  container.bind(IProspectRepository).toConstantValue(infrastructure.prospectRepository);
  if (infrastructure.eventPublisher !== undefined) container.bind(IEventPublisher).toConstantValue(infrastructure.eventPublisher);
  if (infrastructure.eventSubscriber !== undefined) container.bind(IEventSubscriber).toConstantValue(infrastructure.eventSubscriber);
  for (const check of infrastructure.healthChecks) container.bind(IHealthCheck).toConstantValue(check);

  const mapping: Record<string, string> = { ...chosen };
  if (overrides.referenceDataLoader !== undefined) {
    container.rebind(IReferenceDataLoader).toConstantValue(overrides.referenceDataLoader);
    mapping.IReferenceDataLoader = `${overrides.referenceDataLoader.constructor.name} (override)`;
  }
  if (overrides.saveHandler !== undefined) {
    container.rebind(IProspectSaveHandler).toConstantValue(overrides.saveHandler);
    mapping.IProspectSaveHandler = `${overrides.saveHandler.name} (override)`;
  }
  infrastructure.logger.info(`Dependencies: ${describeChosen(mapping)}`);
  return container;
}
