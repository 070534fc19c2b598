import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  eventsInHand, FaultEnvironment, redeliveries, savedEventIds, scenarioLine, SignUpLedger, SignUpTraffic, stuckMidBatch,
} from '../../src/faults/index.js';
import { waitUntil, type HostProcess, type WebHost } from '../../src/index.js';

const TITLE = '4 (two handler instances on one durable consumer, one killed mid-batch)';
const SIGN_UPS = 3000;

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  let first: HostProcess;
  let second: HostProcess;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    // A reaches the database through a proxy the test can freeze, so the kill lands while A is in the middle of a batch.
    environment = await FaultEnvironment.start({ databaseProxy: true });
    web = await environment.startAsynchronousWeb();
    first = await environment.startHandler('signup-handler A', 'proxy');
    second = await environment.startHandler('signup-handler B');
  });

  after(async () => {
    await environment?.close();
  });

  it('shares the work, and what the killed instance had in hand is saved by the other, once', async () => {
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 50, ratePerSecond: 400 });

    await waitUntil(() => ledger.attempts.length >= SIGN_UPS / 3, { timeoutMs: 60_000, intervalMs: 20 });
    await first.waitForLine('Prospect saved.', 30_000);
    environment.proxy!.freeze();
    await waitUntil(() => stuckMidBatch(first), { timeoutMs: 30_000, intervalMs: 10, description: 'instance A stuck in the middle of a batch' });
    expect(await first.kill()).to.deep.equal({ code: null, signal: 'SIGKILL' });
    environment.proxy!.restore();
    const savedByFirst = new Set(savedEventIds(first));
    const inHand = eventsInHand(first);
    await burst;
    await traffic.retryUnaccepted({ timeoutMs: 60_000 });

    await environment.audit.waitForAll(ledger.accepted, 120_000);
    await environment.waitForQuiescence(90_000);
    const report = await environment.audit.report(ledger.accepted);
    const savedBySecond = new Set(savedEventIds(second));
    console.log(`      ${scenarioLine(TITLE, report, {
      savedByA: savedByFirst.size,
      savedByB: savedBySecond.size,
      inHandOfAAtKill: inHand.length,
      redelivered: redeliveries(first, second),
    })}`);

    expect(ledger.unexpectedAttempts([202]), 'every sign-up accepted').to.deep.equal([]);
    expect(savedByFirst.size, 'instance A took part before it was killed').to.be.greaterThan(0);
    expect(savedBySecond.size, 'instance B took part').to.be.greaterThan(0);
    expect(inHand.length, 'A was killed with events in hand').to.be.greaterThan(0);
    expect(inHand.filter((id) => !savedBySecond.has(id)), 'B saved what A had in hand').to.deep.equal([]);
    expect(second.running, 'instance B still runs').to.equal(true);
    expect(report.accepted).to.equal(SIGN_UPS);
    expect(report.missing, 'every accepted sign-up saved').to.deep.equal([]);
    expect(report.unexpected, 'nothing saved that was not accepted').to.deep.equal([]);
    expect(report.saved).to.equal(report.accepted);
    expect(report.duplicates).to.equal(0);
    expect(report.deadLettered).to.equal(0);
  });
});
