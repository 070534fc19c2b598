import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  FaultEnvironment, eventsInHand, killDuringBurst, redeliveries, scenarioLine, SignUpLedger, SignUpTraffic,
} from '../../src/faults/index.js';
import type { HostProcess, WebHost } from '../../src/index.js';

const TITLE = '1 (kill -9 of the handler ×3 during 5000 API sign-ups)';
const SIGN_UPS = 5000;
const KILLS = 3;

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  const handlers: HostProcess[] = [];

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start();
    web = await environment.startAsynchronousWeb();
    handlers.push(await environment.startHandler('signup-handler #1'));
  });

  after(async () => {
    await environment?.close();
  });

  it('saves every accepted sign-up exactly once although the handler is killed three times and restarted', async () => {
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    let burstDone = false;
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 50, ratePerSecond: 300 }).finally(() => {
      burstDone = true;
    });

    const killedInHand = await killDuringBurst({
      ledger, signUps: SIGN_UPS, kills: KILLS, handlers, storedLine: 'Prospect saved.', inHand: eventsInHand,
      restart: (n) => environment.startHandler(`signup-handler #${n}`), burstDone: () => burstDone,
    });
    await burst;
    await traffic.retryUnaccepted({ timeoutMs: 60_000 });

    await environment.audit.waitForAll(ledger.accepted, 120_000);
    await environment.waitForQuiescence(90_000);
    const report = await environment.audit.report(ledger.accepted);
    console.log(`      ${scenarioLine(TITLE, report, {
      inHandAtEachKill: killedInHand.join('/'),
      redelivered: redeliveries(...handlers),
      answered503: ledger.statusCounts()[503] ?? 0,
    })}`);

    expect(ledger.unexpectedAttempts([202, 503]), 'only 202 or 503 answers').to.deep.equal([]);
    expect(report.accepted).to.equal(SIGN_UPS);
    expect(report.missing, 'every accepted sign-up saved').to.deep.equal([]);
    expect(report.unexpected, 'nothing saved that was not accepted').to.deep.equal([]);
    expect(report.saved).to.equal(report.accepted);
    expect(report.duplicates).to.equal(0);
    expect(report.deadLettered).to.equal(0);
    expect(handlers[handlers.length - 1]!.running, 'the last handler still runs').to.equal(true);
  });
});
