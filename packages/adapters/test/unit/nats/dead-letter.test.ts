import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '../../../src/nats/index.js';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  deadLetterHeaders,
  retryDelayMs,
  SIGNUP_DEADLETTER_SUBJECTS,
  SIGNUP_EVENTS_SUBJECTS,
} from '../../../src/nats/index.js';

function matches(pattern: string, subject: string): boolean {
  return pattern.endsWith('.>') ? subject.startsWith(pattern.slice(0, -1)) : pattern === subject;
}

describe('dead letters', () => {
  describe('deadLetterHeaders', () => {
    it('names the handler, the reason, the original subject and the delivery count', () => {
      const headers = deadLetterHeaders({ handler: 'save-handler', reason: 'firstName: required', originalSubject: 'events.prospect.signedup', deliveryCount: 3 });

      expect(headers.get('SignUp-Handler')).to.equal('save-handler');
      expect(headers.get('SignUp-Reason')).to.equal('firstName: required');
      expect(headers.get('SignUp-Original-Subject')).to.equal('events.prospect.signedup');
      expect(headers.get('SignUp-Delivery-Count')).to.equal('3');
    });

    it('puts a reason with line breaks on one line and shortens a very long one', () => {
      const headers = deadLetterHeaders({ handler: 'h', reason: `line one\r\nline two\n${'x'.repeat(5000)}`, originalSubject: 's', deliveryCount: 1 });

      const reason = headers.get('SignUp-Reason');
      expect(reason).to.match(/^line one line two x+…$/);
      expect(reason.length).to.equal(1000);
    });
  });

  describe('retryDelayMs', () => {
    it('grows with the delivery count and stays at the last delay', () => {
      expect([1, 2, 3, 4, 5, 6, 50].map((count) => retryDelayMs(count))).to.deep.equal([1000, 2000, 5000, 10_000, 30_000, 30_000, 30_000]);
    });

    it('uses the delays it is given', () => {
      expect(retryDelayMs(0, [10, 20])).to.equal(10);
      expect(retryDelayMs(2, [10, 20])).to.equal(20);
      expect(retryDelayMs(3, [])).to.equal(0);
    });
  });

  describe('subjects', () => {
    it('are those of the original app', () => {
      expect(PROSPECT_SIGNED_UP_SUBJECT).to.equal('events.prospect.signedup');
      expect(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT).to.equal('deadletter.events.prospect.signedup');
    });

    it('stores the event subject in SIGNUP_EVENTS and the dead-letter subject in SIGNUP_DEADLETTER, not the other way round', () => {
      expect(matches(SIGNUP_EVENTS_SUBJECTS, PROSPECT_SIGNED_UP_SUBJECT)).to.equal(true);
      expect(matches(SIGNUP_DEADLETTER_SUBJECTS, PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT)).to.equal(true);
      expect(matches(SIGNUP_EVENTS_SUBJECTS, PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT)).to.equal(false);
    });
  });
});
