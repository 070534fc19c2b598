import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import { FaultEnvironment, ReadinessProbe, scenarioLine, SignUpLedger, SignUpTraffic } from '../../src/faults/index.js';
import { waitUntil, type WebHost } from '../../src/index.js';

const TITLE = '7 (synchronous mode, database cut for 5 s)';
const CUT_AFTER_MS = 3000;
const CUT_FOR_MS = 5000;

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start({ databaseProxy: true });
    web = await environment.startSynchronousWeb('proxy');
  });

  after(async () => {
    await environment?.close();
  });

  it('answers 503 within 1 s while the database is away, is not ready until it is back, and saves each accepted sign-up once', async () => {
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    const readiness = new ReadinessProbe(`${web.url}/health/ready`);
    expect(await readiness.status(), 'ready before the cut').to.equal(200);

    const burst = traffic.burst({ count: 1200, concurrency: 20, ratePerSecond: 100, formEvery: 10 });
    await new Promise((resolve) => setTimeout(resolve, CUT_AFTER_MS));
    environment.proxy!.cut();
    const cutAt = performance.now();
    const duringCut = await readiness.poll(CUT_FOR_MS, 250);
    environment.proxy!.restore();
    const restoredAt = performance.now();
    const readyAfterMs = await waitUntil(async () => (await readiness.status()) === 200 ? performance.now() - restoredAt : undefined,
      { timeoutMs: 30_000, intervalMs: 100, description: 'signup-web to report ready once the database is back' });
    await burst;
    // Answered 503 yet stored: the commit went through but the answer was lost. Counted before the client's retries.
    const storedBeforeRetry = await environment.audit.storedAmong(ledger.unaccepted().map((signUp) => signUp.correlationId));
    await traffic.retryUnaccepted({ timeoutMs: 30_000 });

    await environment.audit.waitForAll(ledger.accepted, 30_000);
    const report = await environment.audit.report(ledger.accepted);
    const unavailable = ledger.attempts.filter((attempt) => attempt.status === 503);
    const startedDuringCut = ledger.attempts.filter((attempt) => attempt.startedAt > cutAt + 50 && attempt.startedAt + attempt.latencyMs < restoredAt);
    const slowest = ledger.slowest(503);
    console.log(`      ${scenarioLine(TITLE, report, {
      answered503: unavailable.length,
      storedDespite503: storedBeforeRetry.length,
      unconfirmed503: ledger.attempts.filter((attempt) => attempt.status === 503 && attempt.saidNothingSaved === false).length,
      slowest503ms: Math.round(slowest?.latencyMs ?? 0),
      readinessChecksDuringCut: duringCut.length,
      readyAgainAfterMs: Math.round(readyAfterMs),
    })}`);

    expect(ledger.unexpectedAttempts([201, 303, 503]), 'only 201, 303 or 503, never a 500 or a hung request').to.deep.equal([]);
    expect(ledger.falseNothingSavedClaims(storedBeforeRetry), 'no 503 said nothing was saved for a sign-up that was stored')
      .to.deep.equal([]);
    expect(startedDuringCut.length, 'requests were made during the cut').to.be.greaterThan(100);
    expect(startedDuringCut.filter((attempt) => attempt.status !== 503), 'every sign-up during the cut answered 503').to.deep.equal([]);
    expect(unavailable.filter((attempt) => attempt.latencyMs >= 1000), 'every 503 within 1 s').to.deep.equal([]);
    expect(duringCut.length).to.be.greaterThan(5);
    expect(duringCut.filter((status) => status !== 503), 'not ready during the cut').to.deep.equal([]);
    expect(report.missing, 'every accepted sign-up saved').to.deep.equal([]);
    expect(report.unexpected, 'nothing saved that was not accepted').to.deep.equal([]);
    expect(report.saved).to.equal(report.accepted);
    expect(report.duplicates).to.equal(0);
    expect(report.deadLettered).to.equal(0);
  });
});
