import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  eventsInHand, FaultEnvironment, receivedEventIds, redeliveries, savedEventIds, scenarioLine, SignUpLedger, SignUpTraffic, stuckMidBatch,
  type ConsumerState,
} from '../../src/faults/index.js';
import { waitUntil, type HostProcess, type WebHost } from '../../src/index.js';

const TITLE = '6 (SIGTERM to the handler under load, then restarted)';
const SIGN_UPS = 3000;
const EXIT_WITHIN_MS = 10_000;

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  let first: HostProcess;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    // The first handler reaches the database through a proxy the test can freeze, so SIGTERM lands while it holds a batch.
    environment = await FaultEnvironment.start({ databaseProxy: true });
    web = await environment.startAsynchronousWeb();
    first = await environment.startHandler('signup-handler #1', 'proxy');
  });

  after(async () => {
    await environment?.close();
  });

  it('exits 0 within 10 s with everything in hand acknowledged, and nothing it saved comes back after the restart', async () => {
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 50, ratePerSecond: 400 });

    await waitUntil(() => ledger.attempts.length >= SIGN_UPS / 3, { timeoutMs: 60_000, intervalMs: 20 });
    await first.waitForLine('Prospect saved.', 30_000);
    environment.proxy!.freeze();
    await waitUntil(() => stuckMidBatch(first), { timeoutMs: 30_000, intervalMs: 10, description: 'the handler stuck in the middle of a batch' });
    const inHandAtSignal = eventsInHand(first);
    const signalledAt = performance.now();
    first.signal('SIGTERM');
    // The database answers again a second later: the batch in hand can finish, and must, before the exit.
    setTimeout(() => environment.proxy!.restore(), 1000);
    const exit = await first.exited;
    const exitMs = performance.now() - signalledAt;
    const afterExit: ConsumerState = await environment.consumerState();
    const savedByFirst = new Set(savedEventIds(first));
    const unfinished = receivedEventIds(first).filter((id) => !savedByFirst.has(id));
    const second = await environment.startHandler('signup-handler #2');
    await burst;
    await traffic.retryUnaccepted({ timeoutMs: 60_000 });

    await environment.audit.waitForAll(ledger.accepted, 120_000);
    await environment.waitForQuiescence(90_000);
    const drainedAfterExitMs = performance.now() - signalledAt - exitMs;
    const report = await environment.audit.report(ledger.accepted);
    const seenAgain = receivedEventIds(second).filter((id) => savedByFirst.has(id));
    console.log(`      ${scenarioLine(TITLE, report, {
      exitCode: String(exit.code),
      exitMs: Math.round(exitMs),
      inHandAtSignal: inHandAtSignal.length,
      handedBackAtExit: afterExit.ackPending,
      drainedAfterExitMs: Math.round(drainedAfterExitMs),
      savedBeforeStop: savedByFirst.size,
      savedByFirstSeenAgain: seenAgain.length,
      redelivered: redeliveries(first, second),
    })}`);

    expect(exit, 'a clean exit').to.deep.equal({ code: 0, signal: null });
    expect(exitMs, 'exits within 10 s of SIGTERM').to.be.lessThan(EXIT_WITHIN_MS);
    expect(first.matching(/Closing .* failed|Stopped with errors/), 'every step closed cleanly').to.deep.equal([]);
    expect(inHandAtSignal.length, 'SIGTERM arrived with events in hand').to.be.greaterThan(0);
    expect(inHandAtSignal.filter((id) => !savedByFirst.has(id)), 'what it had in hand when signalled, it saved').to.deep.equal([]);
    expect(unfinished, 'the batch in hand was finished').to.deep.equal([]);
    expect(seenAgain, 'what it saved was acknowledged: never delivered again').to.deep.equal([]);
    // Only what it left unacknowledged at exit (handed back unprocessed) may be delivered again, and then once.
    expect(redeliveries(first, second), 'no redelivery storm').to.be.at.most(afterExit.ackPending);
    expect(ledger.unexpectedAttempts([202]), 'every sign-up accepted').to.deep.equal([]);
    expect(report.accepted).to.equal(SIGN_UPS);
    expect(report.missing, 'every accepted sign-up saved').to.deep.equal([]);
    expect(report.unexpected, 'nothing saved that was not accepted').to.deep.equal([]);
    expect(report.saved).to.equal(report.accepted);
    expect(report.duplicates).to.equal(0);
    expect(report.deadLettered).to.equal(0);
  });
});
