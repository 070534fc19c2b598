import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ErrorCode, NatsError } from 'nats';
import { queueUnavailable } from '../../../src/nats/nats-error-translation.js';

describe('queueUnavailable', () => {
  it('says the outcome is known (nothing stored) when the event was never sent', () => {
    const error = queueUnavailable('not sent', new NatsError('timeout', ErrorCode.Timeout));
    expect(error.code).to.equal('QUEUE_UNAVAILABLE');
    expect(error.outcomeUnknown).to.equal(false);
  });

  it('says the outcome is unknown when a sent event was not acknowledged in time', () => {
    const cause = new NatsError('timeout', ErrorCode.Timeout);
    const error = queueUnavailable('sent', cause, true);
    expect(error.outcomeUnknown).to.equal(true);
    expect(error.cause).to.equal(cause);
    expect(error.message).to.equal('sent: timed out.');
  });

  it('says the outcome is known when the server answered that no stream stores the subject', () => {
    expect(queueUnavailable('sent', new NatsError('503', ErrorCode.NoResponders), true).outcomeUnknown).to.equal(false);
  });
});
