import { IProspectSaveHandler, IReferenceDataLoader, SignUpProspect } from '@signup/domain';
import { ContainerModule } from 'inversify';
import type { SignUpSettings } from '../config/index.js';
import {
  CONFIGURABLE_PORTS, findImplementation, implementationRegistry, isInfrastructure, type Binder, type ConfigurablePort, type Infrastructure,
} from './implementation-registry.js';

/** The configurable ports `SignUpProspect` resolves: a host that signs prospects up passes them to `createSignUpModule`. */
export const SIGN_UP_PROSPECT_PORTS: readonly ConfigurablePort[] = Object.freeze(['IProspectSaveHandler', 'IReferenceDataLoader']);

/** Ready-made implementations that replace configured ones, for tests and embedders. */
export type ImplementationOverrides = { readonly [port in ConfigurablePort]?: object };

/** Which ports a host resolves, and what replaces the configured implementation of some of them. */
export interface SignUpModuleOptions {
  /**
   * The configurable ports the host resolves itself or through its use cases. Their chosen
   * implementations, and the ports those need in turn, are bound and reported. Default: every port.
   */
  readonly ports?: readonly ConfigurablePort[];
  /** Bound as constants instead of the configured implementation; an override needs nothing. */
  readonly overrides?: ImplementationOverrides;
}

/** The module to load, the implementation chosen for each port reached and the infrastructure they need. */
export interface SignUpModule {
  readonly module: ContainerModule;
  /** Port → implementation name (`<name> (override)` for an override), in the order the ports were reached. */
  readonly chosen: Readonly<Partial<Record<ConfigurablePort, string>>>;
  /** What the host should log as warnings about the chosen implementations. */
  readonly warnings: readonly string[];
  /** Whether a chosen implementation needs this infrastructure; with `by`, whether that port's implementation does. */
  needs(infrastructure: Infrastructure, by?: ConfigurablePort): boolean;
}

// A save handler's `name` is its public name; other implementations go by their class.
function overrideName(override: object): string {
  const named = (override as { name?: unknown }).name;
  return `${typeof named === 'string' ? named : override.constructor.name} (override)`;
}

/**
 * The container module of the web's use case (`SignUpProspect`, a singleton) with the implementations the settings
 * choose (`Dependencies:<port>`) for the ports the host resolves and the ports those
 * need. A handler's use case is bound by the module of its definition (docs/architecture.md,
 * "Add a handler"). Every configured name is checked, reached or not, so a typo always stops the
 * host. Infrastructure is not bound here: the host opens what `needs` asks for and loads
 * the adapter modules (`createSqlModule`, `createNatsMessagingModule`,
 * `createInProcessMessagingModule`, the module of `openAnalyticsStore`) and binds `ILogger`. No I/O.
 *
 * @throws ConfigurationError for an unknown implementation name or a key a reached one needs.
 */
export function createSignUpModule(settings: SignUpSettings, options: SignUpModuleOptions = {}): SignUpModule {
  const implementations = new Map(CONFIGURABLE_PORTS.map((port) => [port, findImplementation(port, settings.dependencies[port])]));
  const overrides = options.overrides ?? {};
  const chosen: Partial<Record<ConfigurablePort, string>> = {};
  const needs = new Map<ConfigurablePort, readonly Infrastructure[]>();
  const binders: Binder[] = [];
  const warnings: string[] = [];

  const reach = (port: ConfigurablePort): void => {
    if (port in chosen) return;
    const override = overrides[port];
    if (override !== undefined) {
      chosen[port] = overrideName(override);
      needs.set(port, []);
      binders.push(({ bind }) => bind(implementationRegistry[port].token).toConstantValue(override));
      return;
    }
    const implementation = implementations.get(port)!;
    chosen[port] = implementation.name;
    binders.push(implementation.binder(settings));
    if (implementation.warning !== undefined) warnings.push(implementation.warning);
    needs.set(port, implementation.needs.filter(isInfrastructure));
    for (const need of implementation.needs) if (!isInfrastructure(need)) reach(need);
  };
  for (const port of options.ports ?? CONFIGURABLE_PORTS) reach(port);

  const module = new ContainerModule((load) => {
    for (const bindImplementation of binders) bindImplementation(load);
    load.bind(SignUpProspect)
      .toResolvedValue((referenceData: IReferenceDataLoader, saveHandler: IProspectSaveHandler) => new SignUpProspect(referenceData, saveHandler),
        [IReferenceDataLoader, IProspectSaveHandler])
      .inSingletonScope();
  });
  return {
    module,
    chosen: Object.freeze(chosen),
    warnings,
    needs: (infrastructure, by) => [...needs].some(([port, wanted]) => (by === undefined || port === by) && wanted.includes(infrastructure)),
  };
}

/** The chosen mapping as one log line: `IProspectSaveHandler=AsynchronousProspectSaveHandler, IReferenceDataLoader=...`. */
export function describeChosen(chosen: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(chosen).map(([port, name]) => `${port}=${name}`).join(', ');
}
