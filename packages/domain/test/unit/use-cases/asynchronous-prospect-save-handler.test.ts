import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import {
  AsynchronousProspectSaveHandler,
  type IEventPublisher,
  type ProspectSignedUpEvent,
  QueueUnavailableError,
} from '../../../src/index.js';

const EVENT: ProspectSignedUpEvent = Object.freeze({
  correlationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  signedUpAt: new Date('2026-11-23T10:00:00.000Z'),
  prospect: {
    firstName: 'Jane', lastName: 'Doe', companyName: '', emailAddress: 'jane@example.com',
    country: { countryCode: '-', countryName: '--Not telling' }, role: { roleCode: '-', roleName: '--Not telling' },
  },
});

describe('AsynchronousProspectSaveHandler', () => {
  let sandbox: sinon.SinonSandbox;
  let publish: sinon.SinonStub<[ProspectSignedUpEvent], Promise<void>>;
  let handler: AsynchronousProspectSaveHandler;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    publish = sandbox.stub<[ProspectSignedUpEvent], Promise<void>>().resolves();
    const publisher: IEventPublisher = { publish };
    handler = new AsynchronousProspectSaveHandler(publisher);
  });

  afterEach(() => {
    sandbox.restore();
  });

  it('is named as in configuration', () => {
    expect(handler.name).to.equal('AsynchronousProspectSaveHandler');
  });

  describe('save', () => {
    it('publishes the event and reports it queued under its correlation id', async () => {
      expect(await handler.save(EVENT)).to.deep.equal({ status: 'queued', correlationId: EVENT.correlationId });
      expect(publish.calledOnceWithExactly(EVENT)).to.equal(true);
    });

    it('answers only once the publish is confirmed', async () => {
      let confirm = (): void => undefined;
      publish.returns(new Promise<void>((resolve) => {
        confirm = resolve;
      }));
      let settled = false;
      const saving = handler.save(EVENT).then((result) => {
        settled = true;
        return result;
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).to.equal(false);
      confirm();
      expect((await saving).status).to.equal('queued');
    });

    it('lets QueueUnavailableError through and reports nothing queued', async () => {
      publish.rejects(new QueueUnavailableError('No PubAck'));
      const error: unknown = await handler.save(EVENT).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(QueueUnavailableError);
    });
  });
});
