import {
  ReferenceData, UnknownReferenceCodeError, type IProspectRepository, type Prospect, type ProspectSignedUpEvent, type SavedProspect,
} from '@signup/domain';

/** A prospect as the in-memory repository holds it. */
export interface StoredProspect {
  readonly prospectId: number;
  readonly correlationId: string;
  readonly signedUpAt: Date;
  readonly prospect: Prospect;
}

/**
 * Keeps prospects in a Map, with the same rules as the SQL repository: idempotent
 * on the correlation id (letter case ignored), a batch stored all or nothing,
 * results in input order, an event repeated within a batch stored once and
 * reported `created` only at its first position, ids counting up from 1.
 * Country and role codes are checked against the given reference data, as the
 * database's foreign keys would. Nothing survives the process.
 *
 * @throws UnknownReferenceCodeError when a country or role code is not in the reference data; nothing of the batch is stored.
 */
export class InMemoryProspectRepository implements IProspectRepository {
  private readonly rows = new Map<string, StoredProspect>();
  private nextId = 1;

  constructor(private readonly referenceData: ReferenceData = ReferenceData.defaults()) {}

  /** Everything stored so far, oldest first. */
  get prospects(): readonly StoredProspect[] {
    return [...this.rows.values()];
  }

  save(event: ProspectSignedUpEvent): Promise<SavedProspect> {
    return this.saveMany([event]).then(([saved]) => saved as SavedProspect);
  }

  saveMany(events: readonly ProspectSignedUpEvent[]): Promise<SavedProspect[]> {
    return Promise.resolve().then(() => this.store(events));
  }

  private store(events: readonly ProspectSignedUpEvent[]): SavedProspect[] {
    for (const { prospect } of events) {
      if (this.referenceData.country(prospect.country.countryCode) === undefined) {
        throw new UnknownReferenceCodeError({ field: 'countryCode', referenceCode: prospect.country.countryCode });
      }
      if (this.referenceData.role(prospect.role.roleCode) === undefined) {
        throw new UnknownReferenceCodeError({ field: 'roleCode', referenceCode: prospect.role.roleCode });
      }
    }
    return events.map((event) => {
      const key = event.correlationId.toLowerCase();
      const existing = this.rows.get(key);
      if (existing !== undefined) {
        return { correlationId: event.correlationId, prospectId: existing.prospectId, created: false };
      }
      const stored: StoredProspect = {
        prospectId: this.nextId,
        correlationId: key,
        signedUpAt: new Date(event.signedUpAt),
        prospect: { ...event.prospect, prospectId: this.nextId },
      };
      this.nextId += 1;
      this.rows.set(key, stored);
      return { correlationId: event.correlationId, prospectId: stored.prospectId, created: true };
    });
  }
}
