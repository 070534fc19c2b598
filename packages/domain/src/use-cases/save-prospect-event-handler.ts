import { inject, injectable } from 'inversify';
import { isTransientError, ProspectInvalidError } from '../errors/signup-error.js';
import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';
import { toProspectInput } from '../model/prospect.js';
import type { ReferenceData } from '../model/reference-data.js';
import { validateProspect } from '../model/validate-prospect.js';
import type { EventOutcome, IProspectEventHandler } from '../ports/event-subscriber.js';
import { ILogger } from '../ports/logger.js';
import { IProspectRepository, type SavedProspect } from '../ports/prospect-repository.js';
import { IReferenceDataLoader } from '../ports/reference-data-loader.js';

/** The name the save handler subscribes as: its durable consumer and queue group. */
export const SAVE_HANDLER_NAME = 'save-handler';

function describe(error: unknown): string {
  if (error instanceof ProspectInvalidError) {
    return Object.entries(error.errors).map(([field, message]) => `${field}: ${message}`).join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The save handler: validates each event against the database's reference data
 * and stores the valid ones in one idempotent batch. Invalid events are rejected
 * (dead-lettered by the subscriber); a database outage makes the batch `retry`.
 * If the batch fails for a reason that is not an outage, each event is saved on
 * its own so one bad row cannot hold back the others.
 */
@injectable()
export class SaveProspectEventHandler implements IProspectEventHandler {
  readonly name = SAVE_HANDLER_NAME;

  constructor(
    @inject(IProspectRepository) private readonly repository: IProspectRepository,
    @inject(IReferenceDataLoader) private readonly referenceData: IReferenceDataLoader,
    @inject(ILogger) private readonly logger: ILogger,
  ) {}

  async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    const outcomes: EventOutcome[] = new Array<EventOutcome>(events.length);
    let reference: ReferenceData;
    try {
      reference = await this.referenceData.load();
    } catch (error) {
      return events.map(() => ({ status: 'retry', reason: describe(error) }));
    }

    const valid: { index: number; event: ProspectSignedUpEvent }[] = [];
    events.forEach((event, index) => {
      try {
        this.logger.info(`Received event ${event.correlationId} for ${event.prospect.emailAddress}`);
        const prospect = validateProspect(toProspectInput(event.prospect), reference);
        valid.push({ index, event: { ...event, prospect } });
      } catch (error) {
        outcomes[index] = { status: 'rejected', reason: describe(error) };
      }
    });
    if (valid.length === 0) return outcomes;

    try {
      const saved = await this.repository.saveMany(valid.map((item) => item.event));
      valid.forEach((item, i) => {
        outcomes[item.index] = this.done(saved[i]);
      });
    } catch (error) {
      if (isTransientError(error) || valid.length === 1) {
        const outcome: EventOutcome = isTransientError(error)
          ? { status: 'retry', reason: describe(error) }
          : { status: 'rejected', reason: describe(error) };
        for (const item of valid) outcomes[item.index] = outcome;
        return outcomes;
      }
      for (const item of valid) outcomes[item.index] = await this.saveOne(item.event);
    }
    return outcomes;
  }

  private async saveOne(event: ProspectSignedUpEvent): Promise<EventOutcome> {
    try {
      return this.done(await this.repository.save(event));
    } catch (error) {
      return isTransientError(error)
        ? { status: 'retry', reason: describe(error) }
        : { status: 'rejected', reason: describe(error) };
    }
  }

  private done(saved: SavedProspect | undefined): EventOutcome {
    if (saved === undefined) return { status: 'retry', reason: 'The repository returned no row for the event.' };
    this.logger.info(`Prospect saved. Prospect ID: ${saved.prospectId}; event ID: ${saved.correlationId}`);
    return { status: 'done', prospectId: saved.prospectId };
  }
}
