import { expect } from 'chai';
import type { SettledSignUps, SignUpLedger } from '../../src/faults/index.js';

/**
 * What a cluster fault must never cost: every API sign-up answered 202 or 503 (no other 5xx,
 * none unanswered), no 503 that said nothing was saved for a sign-up that was stored, and
 * each of the `signUps` accepted sign-ups saved exactly once, none dead-lettered.
 */
export function expectNothingLost(ledger: SignUpLedger, settled: SettledSignUps, signUps: number): void {
  const { report } = settled;
  expect(ledger.unexpectedAttempts([202, 503]), 'no 5xx but 503, and no request without an answer').to.deep.equal([]);
  expect(ledger.falseNothingSavedClaims(settled.storedDespite503), 'no 503 said nothing was saved for a sign-up that was stored')
    .to.deep.equal([]);
  expect(report.accepted).to.equal(signUps);
  expect(report.missing, 'every accepted sign-up saved').to.deep.equal([]);
  expect(report.unexpected, 'nothing saved that was not accepted').to.deep.equal([]);
  expect(report.saved).to.equal(report.accepted);
  expect(report.duplicates).to.equal(0);
  expect(report.deadLettered).to.equal(0);
}
