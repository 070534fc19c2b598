import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import {
  DatabaseUnavailableError,
  type EventOutcome,
  type ILogger,
  type IProspectRepository,
  type LogFields,
  type Prospect,
  type ProspectSignedUpEvent,
  ReferenceData,
  SAVE_HANDLER_NAME,
  SaveProspectEventHandler,
  type SavedProspect,
  UnknownReferenceCodeError,
} from '../../../src/index.js';

class LinesLogger implements ILogger {
  readonly lines: { level: string; message: string; fields: LogFields | undefined }[] = [];
  debug(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields): void {
    this.lines.push({ level: 'error', message, fields });
  }
  messages(): string[] {
    return this.lines.map((line) => line.message);
  }
}

let sequence = 0;

function makeEvent(prospect: Partial<Prospect> = {}): ProspectSignedUpEvent {
  sequence += 1;
  return {
    correlationId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    signedUpAt: new Date('2026-11-23T10:00:00.000Z'),
    prospect: {
      firstName: 'Jane',
      lastName: 'Doe',
      companyName: 'Acme',
      emailAddress: 'jane@example.com',
      country: { countryCode: 'GBR', countryName: 'United Kingdom' },
      role: { roleCode: 'EN', roleName: 'Engineer' },
      ...prospect,
    },
  };
}

/** A stand-in for the database: gives ids in order, one row per correlation id. */
function rowsFor(events: readonly ProspectSignedUpEvent[], firstId = 100): SavedProspect[] {
  return events.map((event, index) => ({ correlationId: event.correlationId, prospectId: firstId + index, created: true }));
}

describe('SaveProspectEventHandler', () => {
  let sandbox: sinon.SinonSandbox;
  let save: sinon.SinonStub<[ProspectSignedUpEvent], Promise<SavedProspect>>;
  let saveMany: sinon.SinonStub<[readonly ProspectSignedUpEvent[]], Promise<SavedProspect[]>>;
  let load: sinon.SinonStub<[], Promise<ReferenceData>>;
  let logger: LinesLogger;
  let handler: SaveProspectEventHandler;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    save = sandbox.stub<[ProspectSignedUpEvent], Promise<SavedProspect>>()
      .callsFake((event) => Promise.resolve({ correlationId: event.correlationId, prospectId: 500, created: true }));
    saveMany = sandbox.stub<[readonly ProspectSignedUpEvent[]], Promise<SavedProspect[]>>()
      .callsFake((events) => Promise.resolve(rowsFor(events)));
    load = sandbox.stub<[], Promise<ReferenceData>>().resolves(ReferenceData.defaults());
    logger = new LinesLogger();
    const repository: IProspectRepository = { save, saveMany };
    handler = new SaveProspectEventHandler(repository, { load }, logger);
  });

  afterEach(() => {
    sandbox.restore();
  });

  it('subscribes as save-handler', () => {
    expect(handler.name).to.equal('save-handler');
    expect(SAVE_HANDLER_NAME).to.equal('save-handler');
  });

  describe('handle', () => {
    it('saves valid events in one batch and reports each done with its prospect id', async () => {
      const events = [makeEvent(), makeEvent(), makeEvent()];
      const outcomes = await handler.handle(events);
      expect(outcomes).to.deep.equal([
        { status: 'done', prospectId: 100 },
        { status: 'done', prospectId: 101 },
        { status: 'done', prospectId: 102 },
      ]);
      expect(saveMany.calledOnce).to.equal(true);
      expect(saveMany.firstCall.args[0].map((event) => event.correlationId)).to.deep.equal(events.map((event) => event.correlationId));
      expect(save.called).to.equal(false);
    });

    it('logs each saved prospect as the original handler did', async () => {
      const event = makeEvent();
      await handler.handle([event]);
      expect(logger.messages()).to.include(`Prospect saved. Prospect ID: 100; event ID: ${event.correlationId}`);
    });

    it('logs each event it receives', async () => {
      const event = makeEvent();
      await handler.handle([event]);
      expect(logger.messages().some((message) => message.includes(event.correlationId) && message.startsWith('Received'))).to.equal(true);
    });

    it('saves the prospect as validated: trimmed, with the names of the reference data', async () => {
      const event = makeEvent({ firstName: '  Jane  ', country: { countryCode: 'GBR', countryName: 'Stale name' } });
      await handler.handle([event]);
      const saved = saveMany.firstCall.args[0][0]!;
      expect(saved.correlationId).to.equal(event.correlationId);
      expect(saved.signedUpAt).to.equal(event.signedUpAt);
      expect(saved.prospect.firstName).to.equal('Jane');
      expect(saved.prospect.country).to.deep.equal({ countryCode: 'GBR', countryName: 'United Kingdom' });
    });

    it('rejects an invalid event with a reason naming the field, and saves the others', async () => {
      const bad = makeEvent({ emailAddress: 'not-an-address' });
      const good = makeEvent();
      const outcomes = await handler.handle([bad, good]);
      expect(outcomes[0]).to.have.property('status', 'rejected');
      expect((outcomes[0] as { reason: string }).reason).to.include('emailAddress');
      expect(outcomes[1]).to.deep.equal({ status: 'done', prospectId: 100 });
      expect(saveMany.firstCall.args[0].map((event) => event.correlationId)).to.deep.equal([good.correlationId]);
    });

    it('rejects an event whose country or role code is unknown, naming the field', async () => {
      const outcomes = await handler.handle([
        makeEvent({ country: { countryCode: 'XXX', countryName: 'Nowhere' } }),
        makeEvent({ role: { roleCode: 'CEO', roleName: 'Boss' } }),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected']);
      expect((outcomes[0] as { reason: string }).reason).to.include('countryCode');
      expect((outcomes[1] as { reason: string }).reason).to.include('roleCode');
      expect(saveMany.called).to.equal(false);
    });

    it('rejects an event whose prospect is malformed instead of failing the batch', async () => {
      const malformed = { ...makeEvent(), prospect: { firstName: 'Jane', country: null } } as unknown as ProspectSignedUpEvent;
      const good = makeEvent();
      const outcomes = await handler.handle([malformed, good]);
      expect(outcomes[0]).to.have.property('status', 'rejected');
      expect(outcomes[1]).to.deep.equal({ status: 'done', prospectId: 100 });
    });

    it('rejects an event without a prospect instead of failing the batch', async () => {
      const missing = { ...makeEvent(), prospect: undefined } as unknown as ProspectSignedUpEvent;
      const good = makeEvent();
      const outcomes = await handler.handle([missing, good]);
      expect(outcomes[0]).to.have.property('status', 'rejected');
      expect(outcomes[1]).to.deep.equal({ status: 'done', prospectId: 100 });
    });

    it('asks to retry every event when the database is unavailable', async () => {
      saveMany.rejects(new DatabaseUnavailableError('Database down'));
      const invalid = makeEvent({ firstName: '' });
      const outcomes = await handler.handle([makeEvent(), invalid, makeEvent()]);
      expect(outcomes).to.deep.equal([
        { status: 'retry', reason: 'Database down' },
        outcomes[1],
        { status: 'retry', reason: 'Database down' },
      ]);
      expect(outcomes[1]).to.have.property('status', 'rejected');
      expect(save.called).to.equal(false);
    });

    it('asks to retry every event when the reference data cannot be loaded', async () => {
      load.rejects(new DatabaseUnavailableError('Database down'));
      const outcomes = await handler.handle([makeEvent(), makeEvent({ firstName: '' })]);
      expect(outcomes).to.deep.equal([
        { status: 'retry', reason: 'Database down' },
        { status: 'retry', reason: 'Database down' },
      ]);
      expect(saveMany.called).to.equal(false);
    });

    it('falls back to saving one by one when the batch fails for a reason that is not an outage', async () => {
      const events = [makeEvent(), makeEvent({ lastName: 'Unlucky' }), makeEvent()];
      saveMany.rejects(new UnknownReferenceCodeError({ field: 'countryCode', referenceCode: 'GBR' }));
      save.callsFake((event) => (event.prospect.lastName === 'Unlucky'
        ? Promise.reject(new UnknownReferenceCodeError({ field: 'countryCode', referenceCode: 'GBR' }))
        : Promise.resolve({ correlationId: event.correlationId, prospectId: 700, created: true })));
      const outcomes = await handler.handle(events);
      expect(save.callCount).to.equal(3);
      expect(outcomes).to.deep.equal([
        { status: 'done', prospectId: 700 },
        { status: 'rejected', reason: 'countryCode: The country code "GBR" is not in the reference data.' },
        { status: 'done', prospectId: 700 },
      ]);
    });

    it('asks to retry an event whose one-by-one save hits an outage', async () => {
      saveMany.rejects(new Error('deadlock detected'));
      save.onSecondCall().rejects(new DatabaseUnavailableError('Database down'));
      const outcomes: EventOutcome[] = await handler.handle([makeEvent(), makeEvent()]);
      expect(outcomes).to.deep.equal([
        { status: 'done', prospectId: 500 },
        { status: 'retry', reason: 'Database down' },
      ]);
    });

    it('rejects a single event whose save fails for a reason that is not an outage, without trying again', async () => {
      saveMany.rejects(new UnknownReferenceCodeError());
      const outcomes = await handler.handle([makeEvent()]);
      expect(outcomes).to.deep.equal([{ status: 'rejected', reason: 'The country or role code is not in the reference data.' }]);
      expect(save.called).to.equal(false);
    });

    it('asks to retry an event the repository returned no row for', async () => {
      saveMany.callsFake((events) => Promise.resolve(rowsFor(events.slice(0, 1))));
      const outcomes = await handler.handle([makeEvent(), makeEvent()]);
      expect(outcomes[0]).to.deep.equal({ status: 'done', prospectId: 100 });
      expect(outcomes[1]).to.have.property('status', 'retry');
    });

    it('reports an event already stored as done with the existing id', async () => {
      const event = makeEvent();
      saveMany.resolves([{ correlationId: event.correlationId, prospectId: 9, created: false }]);
      expect(await handler.handle([event])).to.deep.equal([{ status: 'done', prospectId: 9 }]);
    });

    it('returns no outcomes for an empty batch', async () => {
      expect(await handler.handle([])).to.deep.equal([]);
      expect(saveMany.called).to.equal(false);
    });
  });
});
