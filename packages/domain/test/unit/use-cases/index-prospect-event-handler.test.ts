import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import {
  DatabaseUnavailableError,
  INDEX_HANDLER_NAME,
  IndexProspectEventHandler,
  type IndexedProspect,
  type IndexItemResult,
  type IProspectIndex,
  type ProspectSignedUpEvent,
  ReferenceData,
  SignUpError,
  SignUpTimeInvalidError,
  toIndexedProspect,
} from '../../../src/index.js';
import { LinesLogger, makeEvent } from './fixtures.js';

/** A stand-in for the store: keeps one document per event id and reports every one indexed. */
class FakeProspectIndex implements IProspectIndex {
  readonly documents = new Map<string, IndexedProspect>();
  readonly batches: IndexedProspect[][] = [];

  indexMany(prospects: readonly IndexedProspect[]): Promise<IndexItemResult[]> {
    this.batches.push([...prospects]);
    for (const prospect of prospects) this.documents.set(prospect.eventId, prospect);
    return Promise.resolve(prospects.map((prospect) => ({ eventId: prospect.eventId, status: 'indexed' as const })));
  }

  clear(): Promise<void> {
    this.documents.clear();
    return Promise.resolve();
  }
}

describe('IndexProspectEventHandler', () => {
  let sandbox: sinon.SinonSandbox;
  let store: FakeProspectIndex;
  let indexMany: sinon.SinonSpy<[readonly IndexedProspect[]], Promise<IndexItemResult[]>>;
  let load: sinon.SinonStub<[], Promise<ReferenceData>>;
  let logger: LinesLogger;
  let handler: IndexProspectEventHandler;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    store = new FakeProspectIndex();
    indexMany = sandbox.spy(store, 'indexMany');
    load = sandbox.stub<[], Promise<ReferenceData>>().resolves(ReferenceData.defaults());
    logger = new LinesLogger();
    handler = new IndexProspectEventHandler(store, { load }, logger);
  });

  afterEach(() => {
    sandbox.restore();
  });

  it('subscribes as index-handler', () => {
    expect(handler.name).to.equal('index-handler');
    expect(INDEX_HANDLER_NAME).to.equal('index-handler');
  });

  describe('handle', () => {
    it('indexes valid events in one batch and reports each done', async () => {
      const events = [makeEvent(), makeEvent(), makeEvent()];
      const outcomes = await handler.handle(events);
      expect(outcomes).to.deep.equal([{ status: 'done' }, { status: 'done' }, { status: 'done' }]);
      expect(indexMany.calledOnce).to.equal(true);
      expect(store.batches[0]!.map((document) => document.eventId)).to.deep.equal(events.map((event) => event.correlationId));
    });

    it('builds the document of the original index: full name, names from the reference data, event id, sign-up date', async () => {
      const event = makeEvent({
        firstName: '  Ada ',
        lastName: 'Lovelace',
        companyName: 'Analytical Engines',
        emailAddress: 'ada@example.com',
        country: { countryCode: 'GBR', countryName: 'Stale name' },
        role: { roleCode: 'AC', roleName: 'Old role name' },
      });
      await handler.handle([event]);
      expect(store.documents.get(event.correlationId)).to.deep.equal({
        eventId: event.correlationId,
        fullName: 'Ada Lovelace',
        companyName: 'Analytical Engines',
        emailAddress: 'ada@example.com',
        countryCode: 'GBR',
        countryName: 'United Kingdom',
        roleCode: 'AC',
        roleName: 'Architect',
        signUpDate: new Date('2026-11-23T10:00:00.000Z'),
      });
    });

    it('logs the original handler\'s lines for each event, and no email address', async () => {
      const event = makeEvent();
      await handler.handle([event]);
      expect(logger.messages()).to.deep.equal([
        `Indexing prospect, signed up at: 2026-11-23T10:00:00.000Z; event ID: ${event.correlationId}`,
        `Prospect indexed; event ID: ${event.correlationId}`,
      ]);
      expect(JSON.stringify(logger.lines)).to.not.include('jane@example.com');
    });

    it('rejects an invalid event with a reason naming the field, and indexes the others', async () => {
      const bad = makeEvent({ emailAddress: 'not-an-address' });
      const good = makeEvent();
      const outcomes = await handler.handle([bad, good]);
      expect(outcomes[0]).to.have.property('status', 'rejected');
      expect((outcomes[0] as { reason: string }).reason).to.include('emailAddress');
      expect(outcomes[1]).to.deep.equal({ status: 'done' });
      expect(store.batches[0]!.map((document) => document.eventId)).to.deep.equal([good.correlationId]);
    });

    it('rejects events whose country or role code is unknown, naming the field, and indexes nothing', async () => {
      const outcomes = await handler.handle([
        makeEvent({ country: { countryCode: 'XXX', countryName: 'Nowhere' } }),
        makeEvent({ role: { roleCode: 'CEO', roleName: 'Boss' } }),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected']);
      expect((outcomes[0] as { reason: string }).reason).to.include('countryCode');
      expect((outcomes[1] as { reason: string }).reason).to.include('roleCode');
      expect(indexMany.called).to.equal(false);
    });

    it('rejects an event without a prospect or with no valid sign-up time instead of failing the batch', async () => {
      const missing = { ...makeEvent(), prospect: undefined } as unknown as ProspectSignedUpEvent;
      const timeless = { ...makeEvent(), signedUpAt: new Date(Number.NaN) };
      const good = makeEvent();
      const outcomes = await handler.handle([missing, timeless, good]);
      expect(outcomes[0]).to.have.property('status', 'rejected');
      expect(outcomes[1]).to.deep.equal({ status: 'rejected', reason: 'signedUpAt: the event has no valid sign-up time.' });
      expect(outcomes[2]).to.deep.equal({ status: 'done' });
    });

    it('rejects a document the store refuses, with the store\'s reason, and reports the rest done', async () => {
      const events = [makeEvent(), makeEvent()];
      indexMany.restore();
      sandbox.stub(store, 'indexMany').resolves([
        { eventId: events[0]!.correlationId, status: 'rejected', reason: 'mapper_parsing_exception: failed to parse [SignUpDate]' },
        { eventId: events[1]!.correlationId, status: 'indexed' },
      ]);
      const outcomes = await handler.handle(events);
      expect(outcomes).to.deep.equal([
        { status: 'rejected', reason: 'mapper_parsing_exception: failed to parse [SignUpDate]' },
        { status: 'done' },
      ]);
      expect(logger.messages()).to.not.include(`Prospect indexed; event ID: ${events[0]!.correlationId}`);
      expect(logger.messages()).to.include(`Prospect indexed; event ID: ${events[1]!.correlationId}`);
    });

    it('asks to retry every valid event when the store is unavailable, and still rejects the invalid', async () => {
      indexMany.restore();
      const stub = sandbox.stub(store, 'indexMany').rejects(new DatabaseUnavailableError('Database down'));
      const outcomes = await handler.handle([makeEvent(), makeEvent({ firstName: '' }), makeEvent()]);
      expect(outcomes[0]).to.deep.equal({ status: 'retry', reason: 'Database down' });
      expect(outcomes[1]).to.have.property('status', 'rejected');
      expect(outcomes[2]).to.deep.equal({ status: 'retry', reason: 'Database down' });
      expect(stub.calledOnce).to.equal(true);
    });

    it('asks to retry every event when the reference data cannot be loaded', async () => {
      load.rejects(new DatabaseUnavailableError('Database down'));
      const outcomes = await handler.handle([makeEvent(), makeEvent({ firstName: '' })]);
      expect(outcomes).to.deep.equal([
        { status: 'retry', reason: 'Database down' },
        { status: 'retry', reason: 'Database down' },
      ]);
      expect(indexMany.called).to.equal(false);
    });

    it('falls back to indexing one by one when the batch fails for a reason that is not an outage', async () => {
      const events = [makeEvent(), makeEvent({ lastName: 'Unlucky' }), makeEvent()];
      indexMany.restore();
      const stub = sandbox.stub(store, 'indexMany').callsFake((documents) => {
        if (documents.length > 1 || documents[0]!.fullName === 'Jane Unlucky') {
          return Promise.reject(new SignUpError('DATABASE_ERROR', 'value too long'));
        }
        return Promise.resolve([{ eventId: documents[0]!.eventId, status: 'indexed' }]);
      });
      const outcomes = await handler.handle(events);
      expect(stub.callCount).to.equal(4);
      expect(outcomes).to.deep.equal([
        { status: 'done' },
        { status: 'rejected', reason: 'value too long' },
        { status: 'done' },
      ]);
    });

    it('asks to retry an event the store reported no result for', async () => {
      indexMany.restore();
      sandbox.stub(store, 'indexMany').callsFake((documents) => Promise.resolve([{ eventId: documents[0]!.eventId, status: 'indexed' }]));
      const outcomes = await handler.handle([makeEvent(), makeEvent()]);
      expect(outcomes[0]).to.deep.equal({ status: 'done' });
      expect(outcomes[1]).to.have.property('status', 'retry');
    });

    it('keeps one document when the same event is indexed twice', async () => {
      const event = makeEvent();
      expect(await handler.handle([event, event])).to.deep.equal([{ status: 'done' }, { status: 'done' }]);
      expect(await handler.handle([event])).to.deep.equal([{ status: 'done' }]);
      expect(store.documents.size).to.equal(1);
    });

    it('returns no outcomes for an empty batch', async () => {
      expect(await handler.handle([])).to.deep.equal([]);
      expect(indexMany.called).to.equal(false);
    });
  });

  describe('toIndexedProspect', () => {
    it('throws SignUpTimeInvalidError, a permanent SignUpError coded SIGN_UP_TIME_INVALID, for an event with no valid time', () => {
      const timeless = { ...makeEvent(), signedUpAt: new Date(Number.NaN) };
      let thrown: unknown;
      try {
        toIndexedProspect(timeless, ReferenceData.defaults());
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(SignUpTimeInvalidError).and.instanceOf(SignUpError);
      expect(thrown).to.include({ code: 'SIGN_UP_TIME_INVALID', transient: false, name: 'SignUpTimeInvalidError' });
    });
  });
});
