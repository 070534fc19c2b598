import { IEventSubscriber, type IHealthCheck, type ILogger, type ISubscription } from '@signup/domain';
import { ConfigurationError, type SignUpSettings } from '@signup/adapters/config';
import type { ShutdownStack } from '@signup/adapters/hosting';
import type { InMemoryEventBus } from '@signup/adapters/memory';
import type { HandlerCommand, HandlerContext, HandlerDefinition } from '@signup/host-handler';
import type { Container } from 'inversify';

/**
 * The handlers `Handlers:InProcess` names, from the command table `signup-handler` runs
 * (each command that runs a handler brings its definition); every one of them when the key
 * is unset.
 *
 * @throws ConfigurationError naming `Handlers:InProcess` and the valid names for a name that is no handler command.
 */
export function selectInProcessHandlers(settings: SignUpSettings, commands: readonly HandlerCommand[]): HandlerDefinition[] {
  const runnable = commands.filter((command) => command.definition !== undefined);
  const wanted = settings.handlers.inProcess ?? runnable.map((command) => command.name);
  return wanted.map((name) => {
    const command = runnable.find((candidate) => candidate.name === name);
    if (command === undefined) {
      const names = runnable.map((candidate) => candidate.name).join(', ');
      throw new ConfigurationError('Handlers:InProcess',
        `Handlers:InProcess names "${name}", which is not a handler command; use some of: ${names} (comma-separated), or none`);
    }
    return command.definition!;
  });
}

/** The in-process handlers' subscriptions, by handler name, and their readiness. */
export class InProcessHandlers {
  private readonly subscriptions = new Map<string, ISubscription>();

  constructor(private readonly handlers: readonly HandlerDefinition[]) {}

  /** Readiness of each handler: fails until it is subscribed and while it is not running. */
  healthChecks(): IHealthCheck[] {
    return this.handlers.map(({ name }) => ({
      name,
      check: () => (this.subscriptions.get(name)?.healthy === true
        ? Promise.resolve()
        : Promise.reject(new Error(`the in-process ${name} is not running`))),
    }));
  }

  /**
   * Builds each handler from the container as its definition says (its start-up hook first),
   * subscribes it to the in-process bus under its own name, and pushes its stop onto
   * `shutdown`. Resolves with the readiness checks the definitions bring of their own.
   */
  async start(container: Container, settings: SignUpSettings, host: { readonly logger: ILogger; readonly shutdown: ShutdownStack }): Promise<IHealthCheck[]> {
    const subscriber = container.get<IEventSubscriber>(IEventSubscriber);
    const checks: IHealthCheck[] = [];
    for (const definition of this.handlers) {
      const context: HandlerContext = {
        settings,
        logger: host.logger,
        get: (token) => container.get(token),
        replayFromStart: () => Promise.reject(new ConfigurationError('MessageQueue:Url',
          `The in-process bus keeps no history of events to replay for ${definition.name}; set MessageQueue:Url and run signup-handler`)),
      };
      await definition.beforeSubscribe?.(context);
      const handler = definition.createHandler(context);
      if (handler.name !== definition.name) throw new TypeError(`The handler "${definition.name}" created a handler named "${handler.name}"`);
      const subscription = await subscriber.subscribe(handler);
      this.subscriptions.set(definition.name, subscription);
      host.shutdown.push(`the in-process ${definition.name}`, () => subscription.stop());
      checks.push(...definition.healthChecks?.(context) ?? []);
    }
    return checks;
  }
}

/**
 * A close step for the in-process bus: sign-ups it still holds exist nowhere else, so it
 * waits up to `graceMs` for the handlers to store them, and warns about any left.
 */
export function drainInProcessBus(bus: InMemoryEventBus, graceMs: number, logger: ILogger): () => Promise<void> {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([bus.whenIdle(), new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); })]);
    clearTimeout(timer);
    if (bus.size > 0) logger.warn(`${bus.size} sign-up(s) were still waiting in the in-process bus and were not saved`);
  };
}
