import { SignUpTimeInvalidError } from '../errors/sign-up-time-invalid-error.js';
import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';
import { toProspectInput } from '../model/prospect.js';
import type { ReferenceData } from '../model/reference-data.js';
import { validateProspect } from '../model/validate-prospect.js';
import type { EventOutcome, IProspectEventHandler } from '../ports/event-subscriber.js';
import { type ILogger } from '../ports/logger.js';
import { type IProspectIndex, type IndexedProspect, type IndexItemResult } from '../ports/prospect-index.js';
import { type IReferenceDataLoader } from '../ports/reference-data-loader.js';
import { prepareAndWriteBatch } from './prepare-and-write-batch.js';

/** The name the index handler subscribes as: its durable consumer and queue group. */
export const INDEX_HANDLER_NAME = 'index-handler';

/**
 * The document an event is indexed as: the validated prospect with the country and
 * role names of the reference data (not the names the event carried), the full name
 * as the original index had it, and the correlation id as the document's identity.
 *
 * @throws ProspectInvalidError when the prospect does not pass validation.
 * @throws SignUpTimeInvalidError when `signedUpAt` is not a valid time.
 */
export function toIndexedProspect(event: ProspectSignedUpEvent, reference: ReferenceData): IndexedProspect {
  const prospect = validateProspect(toProspectInput(event.prospect), reference);
  const signUpDate = new Date(event.signedUpAt);
  if (Number.isNaN(signUpDate.getTime())) {
    throw new SignUpTimeInvalidError();
  }
  return {
    eventId: event.correlationId,
    fullName: `${prospect.firstName} ${prospect.lastName}`,
    companyName: prospect.companyName,
    emailAddress: prospect.emailAddress,
    countryCode: prospect.country.countryCode,
    countryName: prospect.country.countryName,
    roleCode: prospect.role.roleCode,
    roleName: prospect.role.roleName,
    signUpDate,
  };
}

/**
 * The index handler: validates each event like the save handler does, denormalises
 * the country and role names, and writes the valid ones to the analytics store in
 * one idempotent batch (`IProspectIndex.indexMany`). Invalid events, and documents
 * the store refuses for good, are `rejected` with the reason (dead-lettered by the
 * subscriber); an outage of the reference data or the store makes the batch
 * `retry`. If the batch fails for a reason that is not an outage, each document is
 * indexed on its own so one bad document cannot hold back the others.
 *
 * Logs, as the original handler did, `Indexing prospect, signed up at: <time>; event ID: <id>`
 * before the write and `Prospect indexed; event ID: <id>` for each document stored.
 */
export class IndexProspectEventHandler implements IProspectEventHandler {
  readonly name = INDEX_HANDLER_NAME;

  constructor(
    private readonly index: IProspectIndex,
    private readonly referenceData: IReferenceDataLoader,
    private readonly logger: ILogger,
  ) {}

  handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    return prepareAndWriteBatch(events, this.referenceData, {
      prepare: (event, reference) => {
        const document = toIndexedProspect(event, reference);
        this.logger.info(`Indexing prospect, signed up at: ${document.signUpDate.toISOString()}; event ID: ${document.eventId}`);
        return document;
      },
      writeMany: async (documents) => {
        const results = await this.index.indexMany(documents);
        return documents.map((document, i) => this.outcomeOf(document, results[i]));
      },
      writeOne: async (document) => this.outcomeOf(document, (await this.index.indexMany([document]))[0]),
    });
  }

  private outcomeOf(document: IndexedProspect, result: IndexItemResult | undefined): EventOutcome {
    if (result === undefined || result.eventId !== document.eventId) {
      return { status: 'retry', reason: `The index reported no result for event ${document.eventId}.` };
    }
    if (result.status === 'rejected') return { status: 'rejected', reason: result.reason };
    this.logger.info(`Prospect indexed; event ID: ${document.eventId}`);
    return { status: 'done' };
  }
}
