import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';
import { type IEventPublisher } from '../ports/event-publisher.js';
import type { IProspectSaveHandler, ProspectSaveResult } from '../ports/prospect-save-handler.js';

/**
 * Publishes a `ProspectSignedUpEvent` instead of touching the database; a message
 * handler saves it later. Resolves once the bus has confirmed it stored the event.
 *
 * @throws QueueUnavailableError when the bus did not confirm; nothing was queued.
 */
export class AsynchronousProspectSaveHandler implements IProspectSaveHandler {
  readonly name = 'AsynchronousProspectSaveHandler';

  constructor(private readonly publisher: IEventPublisher) {}

  async save(event: ProspectSignedUpEvent): Promise<ProspectSaveResult> {
    await this.publisher.publish(event);
    return { status: 'queued', correlationId: event.correlationId };
  }
}
