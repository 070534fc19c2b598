import { expect } from 'chai';
import { describe, it } from 'mocha';
import { SignInThrottle } from '../../../src/http/sign-in-throttle.js';

describe('SignInThrottle', () => {
  function throttleAt(start = 1_000_000): { throttle: SignInThrottle; clock: { now: number } } {
    const clock = { now: start };
    return { throttle: new SignInThrottle({ now: () => clock.now }), clock };
  }

  describe('retryAfterMs', () => {
    it('lets an address try while it has fewer than 10 failures in its window', () => {
      const { throttle } = throttleAt();
      for (let failure = 1; failure <= 9; failure += 1) expect(throttle.recordFailure('203.0.113.7')).to.equal(failure);
      expect(throttle.retryAfterMs('203.0.113.7')).to.equal(0);
    });

    it('refuses an address after 10 failures until a minute after its first, then counts afresh', () => {
      const { throttle, clock } = throttleAt();
      throttle.recordFailure('203.0.113.7');
      clock.now += 20_000;
      for (let failure = 2; failure <= 10; failure += 1) throttle.recordFailure('203.0.113.7');

      expect(throttle.retryAfterMs('203.0.113.7')).to.equal(40_000);
      expect(throttle.retryAfterMs('198.51.100.1'), 'another address').to.equal(0);
      clock.now += 39_999;
      expect(throttle.retryAfterMs('203.0.113.7')).to.equal(1);
      clock.now += 1;
      expect(throttle.retryAfterMs('203.0.113.7')).to.equal(0);
      expect(throttle.recordFailure('203.0.113.7')).to.equal(1);
    });

    it('forgets an address after a success', () => {
      const { throttle } = throttleAt();
      for (let failure = 1; failure <= 10; failure += 1) throttle.recordFailure('203.0.113.7');
      throttle.recordSuccess('203.0.113.7');
      expect(throttle.retryAfterMs('203.0.113.7')).to.equal(0);
      expect(throttle.recordFailure('203.0.113.7')).to.equal(1);
    });
  });

  it('keeps at most maxAddresses, dropping expired windows first, then the oldest', () => {
    const clock = { now: 0 };
    const throttle = new SignInThrottle({ maxAddresses: 2, now: () => clock.now });
    for (let failure = 1; failure <= 10; failure += 1) throttle.recordFailure('a');
    clock.now = 1000;
    throttle.recordFailure('b');
    throttle.recordFailure('c');

    expect(throttle.retryAfterMs('a'), 'the oldest went').to.equal(0);
    expect(throttle.recordFailure('c')).to.equal(2);
  });
});
