import {
  UnknownReferenceCodeError, type IProspectRepository, type SignUpError, type SavedProspect,
} from '@signup/domain';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { newProspectSignedUpEvent } from './test-events.js';

/** A repository to run the contract against, and how to clean it up. */
export interface ProspectRepositoryUnderTest {
  readonly repository: IProspectRepository;
  close(): Promise<void>;
  /** How many rows are stored for a correlation id; lets the suite check that a repeat wrote nothing. */
  countRows?(correlationId: string): Promise<number>;
}

async function expectRejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the promise to reject');
}

/**
 * The behaviour every `IProspectRepository` must have, as a mocha suite. `make`
 * runs once for the suite; every test uses fresh correlation ids, so the
 * repository may already hold rows.
 */
export function prospectRepositoryContract(name: string, make: () => Promise<ProspectRepositoryUnderTest>): void {
  describe(`${name} (IProspectRepository contract)`, function () {
    let subject: ProspectRepositoryUnderTest | undefined;
    const repository = (): IProspectRepository => subject!.repository;
    const expectRows = async (correlationId: string, count: number): Promise<void> => {
      if (subject?.countRows) expect(await subject.countRows(correlationId)).to.equal(count);
    };

    before(async function () {
      subject = await make();
    });

    after(async function () {
      await subject?.close();
    });

    describe('save', function () {
      it('stores a new event and returns a positive integer id with created=true', async function () {
        const event = newProspectSignedUpEvent();
        const saved = await repository().save(event);
        expect(saved.correlationId).to.equal(event.correlationId);
        expect(saved.created).to.equal(true);
        expect(Number.isInteger(saved.prospectId) && saved.prospectId > 0, `id ${saved.prospectId}`).to.equal(true);
        await expectRows(event.correlationId, 1);
      });

      it('returns the same id with created=false and writes nothing when the event is saved again', async function () {
        const event = newProspectSignedUpEvent();
        const first = await repository().save(event);
        const second = await repository().save(event);
        expect(second).to.deep.equal({ correlationId: event.correlationId, prospectId: first.prospectId, created: false });
        await expectRows(event.correlationId, 1);
      });

      it('treats correlation ids that differ only in letter case as the same event', async function () {
        const event = newProspectSignedUpEvent();
        const first = await repository().save(event);
        const upper = { ...event, correlationId: event.correlationId.toUpperCase() };
        const second = await repository().save(upper);
        expect(second).to.deep.equal({ correlationId: upper.correlationId, prospectId: first.prospectId, created: false });
      });

      it('gives different events different ids', async function () {
        const a = await repository().save(newProspectSignedUpEvent());
        const b = await repository().save(newProspectSignedUpEvent());
        expect(a.prospectId).to.not.equal(b.prospectId);
      });

      it('rejects with UNKNOWN_REFERENCE_CODE when the country code is not in the reference data', async function () {
        const event = newProspectSignedUpEvent({ countryCode: 'XX9' });
        const error = await expectRejection(repository().save(event));
        expect(error).to.be.instanceOf(UnknownReferenceCodeError);
        expect((error as SignUpError).code).to.equal('UNKNOWN_REFERENCE_CODE');
        expect((error as SignUpError).transient).to.equal(false);
        // A store names the field when it can tell (SQLite's foreign-key error does not say which).
        expect([undefined, 'countryCode']).to.include((error as UnknownReferenceCodeError).field);
        await expectRows(event.correlationId, 0);
      });

      it('rejects with UNKNOWN_REFERENCE_CODE when the role code is not in the reference data', async function () {
        const error = await expectRejection(repository().save(newProspectSignedUpEvent({ roleCode: 'XX9' })));
        expect(error).to.be.instanceOf(UnknownReferenceCodeError);
        expect((error as SignUpError).code).to.equal('UNKNOWN_REFERENCE_CODE');
        expect([undefined, 'roleCode']).to.include((error as UnknownReferenceCodeError).field);
      });
    });

    describe('saveMany', function () {
      it('returns an empty list for an empty batch', async function () {
        expect(await repository().saveMany([])).to.deep.equal([]);
      });

      it('returns one result per event, in input order', async function () {
        const events = [newProspectSignedUpEvent(), newProspectSignedUpEvent(), newProspectSignedUpEvent()];
        const saved = await repository().saveMany(events);
        expect(saved.map((s) => s.correlationId)).to.deep.equal(events.map((e) => e.correlationId));
        expect(saved.map((s) => s.created)).to.deep.equal([true, true, true]);
        expect(new Set(saved.map((s) => s.prospectId)).size).to.equal(3);
        for (const [i, event] of events.entries()) {
          expect((await repository().save(event)).prospectId).to.equal(saved[i]!.prospectId);
        }
      });

      it('stores each event once when the batch repeats itself and events already stored', async function () {
        const stored = newProspectSignedUpEvent();
        const before: SavedProspect = await repository().save(stored);
        const fresh = newProspectSignedUpEvent();
        const other = newProspectSignedUpEvent();
        const saved = await repository().saveMany([fresh, stored, fresh, other, stored]);

        expect(saved.map((s) => s.correlationId)).to.deep.equal(
          [fresh, stored, fresh, other, stored].map((e) => e.correlationId));
        expect(saved.map((s) => s.created)).to.deep.equal([true, false, false, true, false]);
        expect(saved[1]!.prospectId).to.equal(before.prospectId);
        expect(saved[4]!.prospectId).to.equal(before.prospectId);
        expect(saved[2]!.prospectId).to.equal(saved[0]!.prospectId);
        expect(saved[3]!.prospectId).to.not.equal(saved[0]!.prospectId);
        await expectRows(fresh.correlationId, 1);
        await expectRows(stored.correlationId, 1);
      });

      it('stores nothing of a batch in which one event has an unknown code', async function () {
        const good = newProspectSignedUpEvent();
        const bad = newProspectSignedUpEvent({ countryCode: 'XX9' });
        const error = await expectRejection(repository().saveMany([good, bad]));
        expect((error as SignUpError).code).to.equal('UNKNOWN_REFERENCE_CODE');
        await expectRows(good.correlationId, 0);
        expect((await repository().save(good)).created).to.equal(true);
      });
    });
  });
}
