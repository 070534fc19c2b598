import { SaveProspectEventHandler, SignUpProspect } from '@signup/domain';
import { ContainerModule } from 'inversify';
import type { SignUpSettings } from '../config/index.js';
import { findImplementation, implementationRegistry, type Binder, type ConfigurablePort } from './implementation-registry.js';

/** The module to load and the implementation chosen for each configurable port. */
export interface SignUpModule {
  readonly module: ContainerModule;
  readonly chosen: Readonly<Record<ConfigurablePort, string>>;
}

/**
 * The container module of the SignUp use cases, with the implementations the
 * settings choose: `IProspectSaveHandler` (synchronous or asynchronous),
 * `IReferenceDataLoader` (a `CachingReferenceDataLoader` around the database or API
 * loader, the inner one also bound as `ReferenceDataSource`), `SignUpProspect` and
 * `SaveProspectEventHandler`, all singletons. Infrastructure is not bound here: the
 * host binds `SqlConnection`, `IProspectRepository`, `IEventPublisher`,
 * `IEventSubscriber`, `ILogger` and its `IHealthCheck`s. Validates eagerly, so a bad
 * configuration fails here rather than on first resolve. No I/O.
 *
 * @throws ConfigurationError for an unknown implementation name or a key the chosen one needs.
 */
export function createSignUpModule(settings: SignUpSettings): SignUpModule {
  const chosen = {} as Record<ConfigurablePort, string>;
  const binders: Binder[] = [];
  for (const port of Object.keys(implementationRegistry) as ConfigurablePort[]) {
    const implementation = findImplementation(port, settings.dependencies[port]);
    chosen[port] = implementation.name;
    binders.push(implementation.binder(settings));
  }

  const module = new ContainerModule((options) => {
    for (const bindImplementation of binders) bindImplementation(options);
    options.bind(SignUpProspect).toSelf().inSingletonScope();
    options.bind(SaveProspectEventHandler).toSelf().inSingletonScope();
  });
  return { module, chosen: Object.freeze(chosen) };
}

/** The chosen mapping as one log line: `IProspectSaveHandler=AsynchronousProspectSaveHandler, IReferenceDataLoader=...`. */
export function describeChosen(chosen: Readonly<Record<string, string>>): string {
  return Object.entries(chosen).map(([port, name]) => `${port}=${name}`).join(', ');
}
