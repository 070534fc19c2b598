import { IEventPublisher, IEventSubscriber } from '@signup/domain';
import { ContainerModule } from 'inversify';
import type { InMemoryEventBus } from './in-memory-event-bus.js';

/**
 * The in-process messaging module, for a host without `MessageQueue:Url`: binds one
 * `InMemoryEventBus` as both `IEventPublisher` and `IEventSubscriber`, so what the
 * web publishes reaches the handlers subscribed in the same process. Nothing
 * survives the process; the host closes the bus when it stops. `publisher`, when given,
 * is bound instead of the bus as `IEventPublisher` (a decorator of it). No I/O.
 */
export function createInProcessMessagingModule(bus: InMemoryEventBus, publisher: IEventPublisher = bus): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(IEventPublisher).toConstantValue(publisher);
    bind(IEventSubscriber).toConstantValue(bus);
  });
}
