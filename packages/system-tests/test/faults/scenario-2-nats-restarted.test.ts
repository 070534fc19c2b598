import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import { FaultEnvironment, redeliveries, scenarioLine, SignUpLedger, SignUpTraffic } from '../../src/faults/index.js';
import { waitUntil, type HostProcess, type WebHost } from '../../src/index.js';

const TITLE = '2 (nats-server restarted on the same store in the middle of a burst)';
const SIGN_UPS = 3000;
const OUTAGE_MS = 4000;
/** An answer slower than this counts as a hung request: far above the publisher's own 2 s deadline. */
const HUNG_MS = 5000;

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  let handler: HostProcess;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start();
    web = await environment.startAsynchronousWeb();
    handler = await environment.startHandler('signup-handler');
  });

  after(async () => {
    await environment?.close();
  });

  it('answers 503 quickly during the outage, then web and handler recover by themselves and save each accepted sign-up once', async () => {
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 50, ratePerSecond: 300, formEvery: 10 });

    await waitUntil(() => ledger.attempts.length >= SIGN_UPS / 3, { timeoutMs: 60_000, intervalMs: 20 });
    await environment.nats.stop({ keepStore: true });
    const stoppedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await environment.nats.restart();
    const restartedAt = performance.now();
    await burst;
    const answeredDuringOutage = ledger.attempts.filter((attempt) => attempt.startedAt + attempt.latencyMs >= stoppedAt
      && attempt.startedAt + attempt.latencyMs < restartedAt);
    const firstAccepted = ledger.attempts.find((attempt) => attempt.startedAt > restartedAt && attempt.status !== 503);

    // Answered 503 yet stored: the publish reached the stream but its acknowledgement was lost. The client's retry with
    // the same key makes such a sign-up accepted; counted here before the retries.
    await environment.waitForQuiescence(90_000);
    const storedBeforeRetry = await environment.audit.storedAmong(ledger.unaccepted().map((signUp) => signUp.correlationId));
    await traffic.retryUnaccepted({ timeoutMs: 60_000 });
    await traffic.burst({ count: 200, concurrency: 20 });
    await environment.audit.waitForAll(ledger.accepted, 120_000);
    await environment.waitForQuiescence(90_000);
    const report = await environment.audit.report(ledger.accepted);
    const slowest = ledger.slowest(503);
    console.log(`      ${scenarioLine(TITLE, report, {
      answered503: ledger.statusCounts()[503] ?? 0,
      storedDespite503: storedBeforeRetry.length,
      unconfirmed503: ledger.attempts.filter((attempt) => attempt.status === 503 && attempt.saidNothingSaved === false).length,
      slowest503ms: Math.round(slowest?.latencyMs ?? 0),
      acceptingAgainAfterMs: firstAccepted === undefined ? 'after the burst' : Math.round(firstAccepted.startedAt - restartedAt),
      redelivered: redeliveries(handler),
    })}`);

    expect(ledger.unexpectedAttempts([202, 303, 503]), 'no 500 and no request without an answer').to.deep.equal([]);
    expect(ledger.falseNothingSavedClaims(storedBeforeRetry), 'no 503 said nothing was saved for a sign-up that was stored')
      .to.deep.equal([]);
    expect(answeredDuringOutage.length, 'sign-ups were answered during the outage').to.be.greaterThan(20);
    expect(answeredDuringOutage.filter((attempt) => attempt.status !== 503 && attempt.startedAt > stoppedAt),
      'nothing accepted while the server was down').to.deep.equal([]);
    expect(ledger.attempts.filter((attempt) => attempt.latencyMs >= HUNG_MS), 'no hung request').to.deep.equal([]);
    expect(web.process.running && handler.running, 'web and handler were not restarted').to.equal(true);
    expect(report.accepted).to.equal(SIGN_UPS + 200);
    expect(report.missing, 'every accepted sign-up saved').to.deep.equal([]);
    expect(report.unexpected, 'nothing saved that was not accepted').to.deep.equal([]);
    expect(report.saved).to.equal(report.accepted);
    expect(report.duplicates).to.equal(0);
    expect(report.deadLettered).to.equal(0);
  });
});
