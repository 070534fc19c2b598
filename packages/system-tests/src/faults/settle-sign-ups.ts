import type { DeliveryReport } from './delivery-audit.js';
import type { FaultEnvironment } from './fault-environment.js';
import type { SignUpLedger } from './sign-up-ledger.js';
import type { SignUpTraffic } from './sign-up-traffic.js';

/** What `settleSignUps` found. */
export interface SettledSignUps {
  readonly report: DeliveryReport;
  /** Sign-ups answered 503 before the retries that were stored all the same. */
  readonly storedDespite503: readonly string[];
  /** 503 answers before the retries, and how many of them said the sign-up could not be confirmed. */
  readonly answered503: number;
  readonly unconfirmed503: number;
}

/**
 * After a burst: waits until the save handlers have nothing left, notes which sign-ups
 * answered 503 were stored anyway (their acknowledgement was lost), retries every
 * unaccepted sign-up with its own key as a client would, then waits until every accepted
 * sign-up is saved and audits the database.
 */
export async function settleSignUps(environment: FaultEnvironment, ledger: SignUpLedger, traffic: SignUpTraffic): Promise<SettledSignUps> {
  const answered503 = ledger.statusCounts()[503] ?? 0;
  const unconfirmed503 = ledger.attempts.filter((attempt) => attempt.status === 503 && attempt.saidNothingSaved === false).length;
  await environment.waitForQuiescence(90_000);
  const storedDespite503 = await environment.audit.storedAmong(ledger.unaccepted().map((signUp) => signUp.correlationId));
  await traffic.retryUnaccepted({ timeoutMs: 60_000 });
  await environment.audit.waitForAll(ledger.accepted, 120_000);
  await environment.waitForQuiescence(90_000);
  return { report: await environment.audit.report(ledger.accepted), storedDespite503, answered503, unconfirmed503 };
}
