import { InMemoryEventBus, RecordingLogger } from '@signup/adapters/memory';
import type { ProspectSignedUpEvent } from '@signup/domain';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';
import { waitUntil } from '@signup/test-support/wait-until';
import { expect } from 'chai';
import { afterEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { WelcomeEmailHandler } from '../../src/welcome-email-handler.js';
import type { WelcomeMailer, WelcomeMessage } from '../../src/welcome-mailer.js';

function signedUp(correlationId: string, emailAddress: string): ProspectSignedUpEvent {
  return newProspectSignedUpEvent({ correlationId, emailAddress, firstName: 'Grace', lastName: 'Hopper', countryCode: 'USA' });
}

class RecordingMailer implements WelcomeMailer {
  readonly sent: WelcomeMessage[] = [];
  failuresLeft = 0;

  send(message: WelcomeMessage): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      return Promise.reject(new Error('mail relay unreachable'));
    }
    this.sent.push(message);
    return Promise.resolve();
  }
}

describe('WelcomeEmailHandler', () => {
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());

  describe('handle', () => {
    it('sends one welcome message per event and reports each done', async () => {
      const mailer = new RecordingMailer();
      const handler = new WelcomeEmailHandler(mailer, new RecordingLogger());

      const outcomes = await handler.handle([
        signedUp('6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a11', 'grace@example.com'),
        signedUp('6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a12', 'ada@example.com'),
      ]);

      expect(outcomes).to.deep.equal([{ status: 'done' }, { status: 'done' }]);
      expect(mailer.sent.map((m) => m.to)).to.deep.equal(['grace@example.com', 'ada@example.com']);
      expect(mailer.sent[0]?.body).to.equal('Hello Grace, thank you for signing up.');
    });

    it('asks for a retry, not a dead letter, when the mailer fails', async () => {
      const mailer = new RecordingMailer();
      mailer.failuresLeft = 1;
      const handler = new WelcomeEmailHandler(mailer, new RecordingLogger());

      const outcomes = await handler.handle([signedUp('6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a13', 'grace@example.com')]);

      expect(outcomes).to.deep.equal([{ status: 'retry', reason: 'mail relay unreachable' }]);
      expect(mailer.sent).to.be.empty;
    });
  });

  describe('handle, given events that do not pass validation', () => {
    it('rejects each poison event with the reason and mails nobody, while the valid one is mailed', async () => {
      const mailer = new RecordingMailer();
      const handler = new WelcomeEmailHandler(mailer, new RecordingLogger());
      const noProspect = { ...signedUp('6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a21', 'x@example.com'), prospect: undefined } as unknown as ProspectSignedUpEvent;

      const outcomes = await handler.handle([
        signedUp('6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a22', 'not an address'),
        newProspectSignedUpEvent({ countryCode: 'ATL', emailAddress: 'atlantis@example.com' }),
        noProspect,
        signedUp('6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a23', 'grace@example.com'),
      ]);

      expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected', 'rejected', 'done']);
      expect((outcomes[0] as { reason: string }).reason).to.include('emailAddress');
      expect((outcomes[1] as { reason: string }).reason).to.include('countryCode');
      expect(mailer.sent.map((m) => m.to)).to.deep.equal(['grace@example.com']);
    });
  });

  describe('subscribed to the in-process bus', () => {
    it('dead-letters a poison event instead of mailing it', async () => {
      const bus = new InMemoryEventBus({ retryDelaysMs: [10] });
      const mailer = new RecordingMailer();
      const subscription = await bus.subscribe(new WelcomeEmailHandler(mailer, new RecordingLogger()));
      try {
        await bus.publish(signedUp('6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a24', 'not an address'));
        const letters = await waitUntil(() => (bus.deadLetters.length > 0 ? bus.deadLetters : undefined), { description: 'the dead letter', timeoutMs: 5_000 });

        expect(letters.map((letter) => [letter.event.correlationId, letter.handler])).to.deep.equal([['6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a24', 'welcome-handler']]);
        expect(letters[0]!.reason).to.include('emailAddress');
        expect(mailer.sent).to.be.empty;
      } finally {
        await subscription.stop();
        await bus.close();
      }
    });

    it('gets its own copy of every event and is redelivered after a failure', async () => {
      const bus = new InMemoryEventBus({ retryDelaysMs: [10] });
      const mailer = new RecordingMailer();
      mailer.failuresLeft = 1;
      const subscription = await bus.subscribe(new WelcomeEmailHandler(mailer, new RecordingLogger()));
      try {
        await bus.publish(signedUp('6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a14', 'grace@example.com'));
        for (let i = 0; i < 100 && mailer.sent.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));

        expect(mailer.sent.map((m) => m.correlationId)).to.deep.equal(['6f1c2d8e-8a43-4d52-9a55-0c3b7e0f1a14']);
        expect(bus.deadLetters).to.be.empty;
      } finally {
        await subscription.stop();
        await bus.close();
      }
    });
  });
});
