import {
  AsynchronousProspectSaveHandler,
  CachingReferenceDataLoader,
  IEventPublisher,
  IProspectAnalytics,
  IProspectIndex,
  IProspectRepository,
  IProspectSaveHandler,
  IReferenceDataLoader,
  SynchronousProspectSaveHandler,
} from '@signup/domain';
import { ConfigurationError } from '../config/configuration-error.js';
import type { ContainerModuleLoadOptions, Newable } from 'inversify';
import { CONFIGURABLE_PORTS, type ConfigurablePort, type SignUpSettings } from '../config/index.js';
// The store's class only: the Elasticsearch client (an optional peer) is loaded by openAnalyticsStore when it is chosen.
import { ElasticsearchProspectIndex } from '../elasticsearch/elasticsearch-prospect-index.js';
import { ApiReferenceDataLoader } from '../http/index.js';
import { InMemoryProspectRepository } from '../memory/index.js';
import { DatabaseReferenceDataLoader, SqlProspectIndex, SqlProspectRepository } from '../sql/index.js';

export { CONFIGURABLE_PORTS, type ConfigurablePort };

/** Binds one implementation into a container module. */
export type Binder = (options: ContainerModuleLoadOptions) => void;

/**
 * Infrastructure a host opens before it builds the container: `database` is the
 * `ConnectionStrings:SignUpDb` connection (bound by `createSqlModule`),
 * `eventPublisher` a bus to publish to (bound by the NATS or in-process messaging module),
 * `analyticsDatabase` the `ConnectionStrings:AnalyticsDb` connection and `elasticsearch`
 * the `Elasticsearch:*` cluster (both opened and bound by `openAnalyticsStore`).
 */
export const INFRASTRUCTURE = ['database', 'eventPublisher', 'analyticsDatabase', 'elasticsearch'] as const;

/** Infrastructure a host opens and binds before it builds the container. */
export type Infrastructure = (typeof INFRASTRUCTURE)[number];

/** What an implementation needs: another configurable port it resolves, or infrastructure. */
export type Need = ConfigurablePort | Infrastructure;

/** True for infrastructure, false for a configurable port. */
export function isInfrastructure(need: Need): need is Infrastructure {
  return (INFRASTRUCTURE as readonly string[]).includes(need);
}

/** One implementation a configuration may name. */
export interface Implementation {
  /** The canonical name, as reported in the chosen mapping. */
  readonly name: string;
  /** Other names accepted for it: the original .NET fully-qualified type names. */
  readonly aliases: readonly string[];
  /** The ports and infrastructure it resolves; the host opens and binds what the chosen ones need. */
  readonly needs: readonly Need[];
  /** Logged as a warning when a host uses it: what a user should know before relying on it. */
  readonly warning?: string;
  /**
   * Checks the settings this implementation needs and returns the function that binds it.
   * @throws ConfigurationError when a key it needs is missing or invalid.
   */
  readonly binder: (settings: SignUpSettings) => Binder;
}

/** A configurable port: its token, the implementations to choose from and the default. */
export interface PortRegistration {
  readonly port: ConfigurablePort;
  readonly token: symbol;
  readonly configKey: string;
  readonly implementations: readonly Implementation[];
  readonly defaultName: string;
}

/**
 * The uncached reference-data loader the configuration chose. `IReferenceDataLoader`
 * resolves to a `CachingReferenceDataLoader` around it.
 */
export const ReferenceDataSource: unique symbol = Symbol.for('signup.ReferenceDataSource');

/** Binds one analytics store as both of its ports, one instance for the handler's writes and the dashboard's reads. */
function bindAnalyticsStore(store: Newable<IProspectIndex & IProspectAnalytics>): Binder {
  return ({ bind }) => {
    bind(store).toSelf().inSingletonScope();
    bind(IProspectIndex).toService(store);
    bind(IProspectAnalytics).toService(store);
  };
}

function bindCachedReferenceData({ bind }: ContainerModuleLoadOptions): void {
  bind(IReferenceDataLoader)
    .toResolvedValue((source: IReferenceDataLoader) => new CachingReferenceDataLoader(source), [ReferenceDataSource])
    .inSingletonScope();
}

/** An implementation bound with `.to(Class)` that needs no setting, under its canonical and original names. */
function boundClass(name: string, aliases: readonly string[], needs: readonly Need[], bindClass: Binder): Implementation {
  return { name, aliases, needs, binder: () => bindClass };
}

/**
 * Every configurable port with its implementations, in the order error messages list
 * them. To make a port configurable: add its name to `CONFIGURABLE_PORTS` and its
 * registration here; hosts pick it up through `createSignUpModule`.
 */
export const implementationRegistry: Readonly<Record<ConfigurablePort, PortRegistration>> = Object.freeze({
  IProspectSaveHandler: {
    port: 'IProspectSaveHandler',
    token: IProspectSaveHandler,
    configKey: 'Dependencies:IProspectSaveHandler',
    defaultName: 'AsynchronousProspectSaveHandler',
    implementations: [
      boundClass('SynchronousProspectSaveHandler', ['SignUp.Web.ProspectSave.SynchronousProspectSaveHandler'], ['IProspectRepository'], ({ bind }) => {
        bind(IProspectSaveHandler)
          .toResolvedValue((repository: IProspectRepository) => new SynchronousProspectSaveHandler(repository), [IProspectRepository])
          .inSingletonScope();
      }),
      boundClass('AsynchronousProspectSaveHandler', ['SignUp.Web.ProspectSave.AsynchronousProspectSaveHandler'], ['eventPublisher'], ({ bind }) => {
        bind(IProspectSaveHandler)
          .toResolvedValue((publisher: IEventPublisher) => new AsynchronousProspectSaveHandler(publisher), [IEventPublisher])
          .inSingletonScope();
      }),
    ],
  },
  IReferenceDataLoader: {
    port: 'IReferenceDataLoader',
    token: IReferenceDataLoader,
    configKey: 'Dependencies:IReferenceDataLoader',
    defaultName: 'DatabaseReferenceDataLoader',
    implementations: [
      boundClass('DatabaseReferenceDataLoader', ['SignUp.Web.ReferenceData.DatabaseReferenceDataLoader'], ['database'], (options) => {
        options.bind(ReferenceDataSource).to(DatabaseReferenceDataLoader).inSingletonScope();
        bindCachedReferenceData(options);
      }),
      {
        name: 'ApiReferenceDataLoader',
        aliases: ['SignUp.Web.ReferenceData.ApiReferenceDataLoader'],
        needs: [],
        binder: (settings) => {
          const url = settings.referenceDataApi.url;
          if (url === undefined) {
            throw new ConfigurationError(
              'ReferenceDataApi:Url',
              'ReferenceDataApi:Url is not set but Dependencies:IReferenceDataLoader is ApiReferenceDataLoader; '
              + 'use the base URL of the reference-data API (http://host:port/api) or choose DatabaseReferenceDataLoader',
            );
          }
          const loader = new ApiReferenceDataLoader(url);
          return (options) => {
            options.bind(ReferenceDataSource).toConstantValue(loader);
            bindCachedReferenceData(options);
          };
        },
      },
    ],
  },
  IProspectRepository: {
    port: 'IProspectRepository',
    token: IProspectRepository,
    configKey: 'Dependencies:IProspectRepository',
    defaultName: 'SqlProspectRepository',
    implementations: [
      boundClass('SqlProspectRepository', [], ['database'], ({ bind }) => {
        bind(IProspectRepository).to(SqlProspectRepository).inSingletonScope();
      }),
      {
        ...boundClass('InMemoryProspectRepository', [], [], ({ bind }) => {
          bind(IProspectRepository).toConstantValue(new InMemoryProspectRepository());
        }),
        warning: 'IProspectRepository=InMemoryProspectRepository keeps prospects in this process only: they are lost when it stops',
      },
    ],
  },
  IProspectIndex: {
    port: 'IProspectIndex',
    token: IProspectIndex,
    configKey: 'Dependencies:IProspectIndex',
    defaultName: 'SqlProspectIndex',
    implementations: [
      boundClass('SqlProspectIndex', [], ['analyticsDatabase'], bindAnalyticsStore(SqlProspectIndex)),
      {
        name: 'ElasticsearchProspectIndex',
        aliases: [],
        needs: ['elasticsearch'],
        binder: (settings) => {
          if (settings.elasticsearch.url === undefined) {
            throw new ConfigurationError(
              'Elasticsearch:Url',
              'Elasticsearch:Url is not set but Dependencies:IProspectIndex is ElasticsearchProspectIndex; '
              + 'set it to the cluster (http://elasticsearch:9200) or choose SqlProspectIndex',
            );
          }
          return bindAnalyticsStore(ElasticsearchProspectIndex);
        },
      },
    ],
  },
});

function isConfigurablePort(port: string): port is ConfigurablePort {
  return (CONFIGURABLE_PORTS as readonly string[]).includes(port);
}

/** The implementation a configured name stands for, or the port's default when the name is unset or blank. */
export function findImplementation(port: ConfigurablePort, configured?: string): Implementation {
  if (!isConfigurablePort(port)) throw new TypeError(`${String(port)} is not a configurable port`);
  const registration = implementationRegistry[port];
  const wanted = (configured ?? '').trim();
  const name = wanted === '' ? registration.defaultName : wanted;
  const lower = name.toLowerCase();
  const found = registration.implementations.find((candidate) =>
    [candidate.name, ...candidate.aliases].some((accepted) => accepted.toLowerCase() === lower));
  if (found === undefined) {
    const names = registration.implementations.map((candidate) => candidate.name).join(', ');
    const original = registration.implementations.some((candidate) => candidate.aliases.length > 0) ? ' (or their SignUp.Web.* full names)' : '';
    throw new ConfigurationError(
      registration.configKey,
      `${registration.configKey} = ${JSON.stringify(wanted)} is not a known implementation; use one of: ${names}${original}`,
    );
  }
  return found;
}
