import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  FaultEnvironment, receivedEventIds, redeliveries, scenarioLine, SignUpLedger, SignUpTraffic,
} from '../../src/faults/index.js';
import { waitUntil, type HostProcess, type WebHost } from '../../src/index.js';

const TITLE = '3 (database unreachable from the handler for 15 s during a burst)';
const SIGN_UPS = 3000;
/** The outage: connections refused for the first half (server down), held unanswered for the second (silent network). */
const REFUSED_MS = 7500;
const SILENT_MS = 7500;
/**
 * The handler's redelivery delays (1, 2, 5, 10, 30 s) allow at most six deliveries of
 * one event over a 15 s outage; a handler that naks without a delay would redeliver
 * each event dozens of times.
 */
const MOST_DELIVERIES_WITH_BACKOFF = 8;

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  let handler: HostProcess;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start({ databaseProxy: true });
    web = await environment.startAsynchronousWeb();
    handler = await environment.startHandler('signup-handler', 'proxy');
  });

  after(async () => {
    await environment?.close();
  });

  it('backs off while the database is away, resumes by itself, dead-letters nothing and saves each accepted sign-up once', async () => {
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 20, ratePerSecond: 120 });

    await waitUntil(() => ledger.attempts.length >= 500, { timeoutMs: 60_000, intervalMs: 20 });
    await handler.waitForLine('Prospect saved.', 30_000);
    const proxy = environment.proxy!;
    proxy.cut();
    const savedAtCut = (await environment.audit.rows()).length;
    await new Promise((resolve) => setTimeout(resolve, REFUSED_MS));
    proxy.freeze();
    await new Promise((resolve) => setTimeout(resolve, SILENT_MS));
    const savedDuringCut = (await environment.audit.rows()).length - savedAtCut;
    const retryWarnings = handler.matching(/will retry \d+ of \d+ events later|failed; retrying its batch/).length;
    proxy.restore();
    await burst;
    await traffic.retryUnaccepted({ timeoutMs: 60_000 });

    await environment.audit.waitForAll(ledger.accepted, 120_000);
    await environment.waitForQuiescence(90_000);
    const report = await environment.audit.report(ledger.accepted);
    const deliveries = new Map<string, number>();
    for (const id of receivedEventIds(handler)) deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
    const mostDeliveries = Math.max(...deliveries.values());
    console.log(`      ${scenarioLine(TITLE, report, {
      savedDuringCut,
      retryWarningsDuringCut: retryWarnings,
      redelivered: redeliveries(handler),
      mostDeliveriesOfOneEvent: mostDeliveries,
    })}`);

    expect(ledger.unexpectedAttempts([202]), 'the web, which does not need the database, accepted every sign-up').to.deep.equal([]);
    expect(savedDuringCut, 'nothing reached the database during the cut').to.equal(0);
    expect(retryWarnings, 'the handler saw the outage').to.be.greaterThan(0);
    expect(handler.running, 'the handler resumed without a restart').to.equal(true);
    expect(mostDeliveries, 'redeliveries back off instead of storming').to.be.at.most(MOST_DELIVERIES_WITH_BACKOFF);
    expect(report.accepted).to.equal(SIGN_UPS);
    expect(report.missing, 'every accepted sign-up saved').to.deep.equal([]);
    expect(report.unexpected, 'nothing saved that was not accepted').to.deep.equal([]);
    expect(report.saved).to.equal(report.accepted);
    expect(report.duplicates).to.equal(0);
    expect(report.deadLettered, 'nothing dead-lettered for a database outage').to.equal(0);
  });
});
