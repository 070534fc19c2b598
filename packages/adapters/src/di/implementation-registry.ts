import {
  AsynchronousProspectSaveHandler,
  CachingReferenceDataLoader,
  ConfigurationError,
  IProspectSaveHandler,
  IReferenceDataLoader,
  SynchronousProspectSaveHandler,
} from '@signup/domain';
import type { ContainerModuleLoadOptions } from 'inversify';
import type { SignUpSettings } from '../config/index.js';
import { ApiReferenceDataLoader } from '../http/index.js';
import { DatabaseReferenceDataLoader } from '../sql/index.js';

/** The ports whose implementation is chosen by `Dependencies:<port>`. */
export type ConfigurablePort = 'IProspectSaveHandler' | 'IReferenceDataLoader';

/** Binds one implementation into a container module. */
export type Binder = (options: ContainerModuleLoadOptions) => void;

/** One implementation a configuration may name. */
export interface Implementation {
  /** The canonical name, as reported in the chosen mapping. */
  readonly name: string;
  /** Other names accepted for it: the original .NET fully-qualified type names. */
  readonly aliases: readonly string[];
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

function bindCachedReferenceData({ bind }: ContainerModuleLoadOptions): void {
  bind(IReferenceDataLoader)
    .toResolvedValue((source: IReferenceDataLoader) => new CachingReferenceDataLoader(source), [ReferenceDataSource])
    .inSingletonScope();
}

/** Every configurable port with its implementations, in the order error messages list them. */
export const implementationRegistry: Readonly<Record<ConfigurablePort, PortRegistration>> = Object.freeze({
  IProspectSaveHandler: {
    port: 'IProspectSaveHandler',
    token: IProspectSaveHandler,
    configKey: 'Dependencies:IProspectSaveHandler',
    defaultName: 'AsynchronousProspectSaveHandler',
    implementations: [
      {
        name: 'SynchronousProspectSaveHandler',
        aliases: ['SignUp.Web.ProspectSave.SynchronousProspectSaveHandler'],
        binder: () => ({ bind }) => {
          bind(IProspectSaveHandler).to(SynchronousProspectSaveHandler).inSingletonScope();
        },
      },
      {
        name: 'AsynchronousProspectSaveHandler',
        aliases: ['SignUp.Web.ProspectSave.AsynchronousProspectSaveHandler'],
        binder: () => ({ bind }) => {
          bind(IProspectSaveHandler).to(AsynchronousProspectSaveHandler).inSingletonScope();
        },
      },
    ],
  },
  IReferenceDataLoader: {
    port: 'IReferenceDataLoader',
    token: IReferenceDataLoader,
    configKey: 'Dependencies:IReferenceDataLoader',
    defaultName: 'DatabaseReferenceDataLoader',
    implementations: [
      {
        name: 'DatabaseReferenceDataLoader',
        aliases: ['SignUp.Web.ReferenceData.DatabaseReferenceDataLoader'],
        binder: () => (options) => {
          options.bind(ReferenceDataSource).to(DatabaseReferenceDataLoader).inSingletonScope();
          bindCachedReferenceData(options);
        },
      },
      {
        name: 'ApiReferenceDataLoader',
        aliases: ['SignUp.Web.ReferenceData.ApiReferenceDataLoader'],
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
});

/** The implementation a configured name stands for, or the port's default when the name is unset or blank. */
export function findImplementation(port: ConfigurablePort, configured?: string): Implementation {
  const registration = Object.hasOwn(implementationRegistry, port) ? implementationRegistry[port] : undefined;
  if (registration === undefined) throw new TypeError(`${String(port)} is not a configurable port`);
  const wanted = (configured ?? '').trim();
  const name = wanted === '' ? registration.defaultName : wanted;
  const lower = name.toLowerCase();
  const found = registration.implementations.find((candidate) =>
    [candidate.name, ...candidate.aliases].some((accepted) => accepted.toLowerCase() === lower));
  if (found === undefined) {
    const names = registration.implementations.map((candidate) => candidate.name).join(', ');
    throw new ConfigurationError(
      registration.configKey,
      `${registration.configKey} = ${JSON.stringify(wanted)} is not a known implementation; `
      + `use one of: ${names} (or their SignUp.Web.* full names)`,
    );
  }
  return found;
}

/**
 * The canonical short name of the implementation configured for a port; the port's
 * default (AsynchronousProspectSaveHandler, DatabaseReferenceDataLoader) when unset or
 * blank. Names match case-insensitively, short or as the original .NET full names.
 *
 * @throws ConfigurationError naming `Dependencies:<port>`, the bad name and the valid ones.
 */
export function resolveImplementation(port: ConfigurablePort, configured?: string): string {
  return findImplementation(port, configured).name;
}
