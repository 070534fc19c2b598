import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';
import { toProspectInput } from '../model/prospect.js';
import { validateProspect } from '../model/validate-prospect.js';
import type { EventOutcome, IProspectEventHandler } from '../ports/event-subscriber.js';
import { type ILogger } from '../ports/logger.js';
import { type IProspectRepository, type SavedProspect } from '../ports/prospect-repository.js';
import { type IReferenceDataLoader } from '../ports/reference-data-loader.js';
import { prepareAndWriteBatch } from './prepare-and-write-batch.js';

/** The name the save handler subscribes as: its durable consumer and queue group. */
export const SAVE_HANDLER_NAME = 'save-handler';

/**
 * The save handler: validates each event against the database's reference data
 * and stores the valid ones in one idempotent batch. Invalid events are rejected
 * (dead-lettered by the subscriber); a database outage makes the batch `retry`.
 * If the batch fails for a reason that is not an outage, each event is saved on
 * its own so one bad row cannot hold back the others.
 */
export class SaveProspectEventHandler implements IProspectEventHandler {
  readonly name = SAVE_HANDLER_NAME;

  constructor(
    private readonly repository: IProspectRepository,
    private readonly referenceData: IReferenceDataLoader,
    private readonly logger: ILogger,
  ) {}

  handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    return prepareAndWriteBatch(events, this.referenceData, {
      prepare: (event, reference) => {
        this.logger.info(`Received event ${event.correlationId} for ${event.prospect.emailAddress}`);
        return { ...event, prospect: validateProspect(toProspectInput(event.prospect), reference) };
      },
      writeMany: async (valid) => (await this.repository.saveMany(valid)).map((saved) => this.done(saved)),
      writeOne: async (event) => this.done(await this.repository.save(event)),
    });
  }

  private done(saved: SavedProspect | undefined): EventOutcome {
    if (saved === undefined) return { status: 'retry', reason: 'The repository returned no row for the event.' };
    this.logger.info(`Prospect saved. Prospect ID: ${saved.prospectId}; event ID: ${saved.correlationId}`);
    return { status: 'done', prospectId: saved.prospectId };
  }
}
