import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';
import { type IProspectRepository } from '../ports/prospect-repository.js';
import type { IProspectSaveHandler, ProspectSaveResult } from '../ports/prospect-save-handler.js';

/**
 * Saves the prospect to the database within the request, as the original app did
 * before messaging. Every request waits on SQL.
 *
 * @throws DatabaseUnavailableError when the database cannot take the row; nothing was saved.
 */
export class SynchronousProspectSaveHandler implements IProspectSaveHandler {
  readonly name = 'SynchronousProspectSaveHandler';

  constructor(private readonly repository: IProspectRepository) {}

  async save(event: ProspectSignedUpEvent): Promise<ProspectSaveResult> {
    const saved = await this.repository.save(event);
    return { status: 'saved', correlationId: saved.correlationId, prospectId: saved.prospectId };
  }
}
