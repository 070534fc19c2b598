import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';

/**
 * Publishes events to the message bus. `publish` resolves only once the bus has
 * confirmed it stored the event, so a caller may tell the user "thank you".
 *
 * @throws QueueUnavailableError when the bus did not confirm in time or is unreachable; nothing was published.
 */
export interface IEventPublisher {
  publish(event: ProspectSignedUpEvent): Promise<void>;
}
export const IEventPublisher: unique symbol = Symbol.for('signup.IEventPublisher');
