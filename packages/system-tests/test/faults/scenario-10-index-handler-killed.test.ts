import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { INDEX_HANDLER_NAME } from '@signup/domain';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT } from '@signup/adapters/nats';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  DeliveryAudit, FaultEnvironment, indexEventsInHand, indexRedeliveries, killDuringBurst, scenarioLine, SignUpLedger, SignUpTraffic,
} from '../../src/faults/index.js';
import { ProspectIndexTable, type HostProcess, type WebHost } from '../../src/index.js';

const TITLE = '10 (kill -9 of the index handler ×3 mid-batch during 3000 API sign-ups)';
const SIGN_UPS = 3000;
const KILLS = 3;

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  let audit: DeliveryAudit;
  let analytics: ProspectIndexTable;
  const handlers: HostProcess[] = [];

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start();
    web = await environment.startAsynchronousWeb();
    handlers.push(await environment.startIndexHandler('signup-handler index #1'));
    audit = new DeliveryAudit(environment.database.url, async () => (await environment.deadLetters()).count(), 'ProspectIndex');
    analytics = new ProspectIndexTable(environment.database.url);
  });

  after(async () => {
    await audit?.close();
    await analytics?.close();
    await environment?.close();
  });

  it('indexes every accepted sign-up once although the index handler is killed mid-batch three times and restarted', async () => {
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    let burstDone = false;
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 50, ratePerSecond: 300 }).finally(() => {
      burstDone = true;
    });

    // Mid-batch: each kill waits for events logged as being indexed and not yet as indexed.
    const killedInHand = await killDuringBurst({
      ledger, signUps: SIGN_UPS, kills: KILLS, handlers, storedLine: 'Prospect indexed;', inHand: indexEventsInHand, midBatch: true,
      restart: (n) => environment.startIndexHandler(`signup-handler index #${n}`), burstDone: () => burstDone,
    });
    await burst;
    await traffic.retryUnaccepted({ timeoutMs: 60_000 });

    await audit.waitForAll(ledger.accepted, 120_000);
    await environment.waitForQuiescence(90_000, INDEX_HANDLER_NAME);
    const report = await audit.report(ledger.accepted);
    const summary = await analytics.summary();
    console.log(`      ${scenarioLine(TITLE, report, {
      analyticsTotal: summary.total,
      inHandAtEachKill: killedInHand.join('/'),
      redelivered: indexRedeliveries(...handlers),
      answered503: ledger.statusCounts()[503] ?? 0,
    })}`.replace('saved=', 'indexed='));

    expect(ledger.unexpectedAttempts([202, 503]), 'only 202 or 503 answers').to.deep.equal([]);
    expect(report.accepted).to.equal(SIGN_UPS);
    expect(report.missing, 'every accepted sign-up indexed').to.deep.equal([]);
    expect(report.unexpected, 'nothing indexed that was not accepted').to.deep.equal([]);
    expect(report.saved, 'rows in ProspectIndex').to.equal(report.accepted);
    expect(report.duplicates, 'no sign-up counted twice').to.equal(0);
    expect(summary.total, 'the analytics total').to.equal(report.accepted);
    expect(summary.byCountry.reduce((sum, row) => sum + row.count, 0), 'the countries add up to the total').to.equal(report.accepted);
    expect(report.deadLettered, `nothing on ${PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT}`).to.equal(0);
    expect(handlers[handlers.length - 1]!.running, 'the last index handler still runs').to.equal(true);
  });
});
