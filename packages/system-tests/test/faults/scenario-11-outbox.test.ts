import { expect } from 'chai';
import { after, before, beforeEach, describe, it } from 'mocha';
import { INDEX_HANDLER_NAME, SAVE_HANDLER_NAME } from '@signup/domain';
import { SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { createKnex } from '@signup/adapters/sql';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import { DeliveryAudit, FaultEnvironment, scenarioLine, SignUpLedger, SignUpTraffic, type DeliveryReport } from '../../src/faults/index.js';
import { waitUntil, type HostProcess, type WebHost } from '../../src/index.js';

const NATS_DOWN_MS = 15_000;
const TABLES = ['ProspectOutbox', 'ProspectIndexDayCount', 'ProspectIndexCompanyCount', 'ProspectIndex', 'Prospects'];

/**
 * The transactional outbox under faults (docs/reliability.md, "The outbox"): synchronous
 * webs save to PostgreSQL and relay to the environment's nats-server, where the index handler
 * (and in 11d a save handler) consume. One environment for the four scenarios; each starts
 * from empty tables and an empty stream, with its own webs.
 */
describe('scenario 11 (the transactional outbox of the synchronous save)', function () {
  let environment: FaultEnvironment;
  let knex: ReturnType<typeof createKnex>;
  let index: DeliveryAudit;
  let prospects: DeliveryAudit;
  let webs: WebHost[] = [];
  const extraHosts: HostProcess[] = [];

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start();
    // The first web migrates the database; the index handler then finds its tables.
    webs.push(await environment.startOutboxWeb('signup-web (migrating)'));
    await environment.startIndexHandler('signup-handler index');
    knex = createKnex(environment.database.url);
    const deadLetters = async (): Promise<number> => (await environment.deadLetters()).count();
    index = new DeliveryAudit(environment.database.url, deadLetters, 'ProspectIndex');
    prospects = new DeliveryAudit(environment.database.url, deadLetters);
  });

  beforeEach(async function () {
    // Each scenario from a clean slate: no web of the last one, nothing in flight, no rows, no events.
    await Promise.all([...webs.map((web) => web.process.stop(10_000)), ...extraHosts.splice(0).map((host) => host.stop(10_000))]);
    webs = [];
    await environment.waitForQuiescence(60_000, INDEX_HANDLER_NAME);
    const jsm = await (await environment.client()).jetstreamManager({ checkAPI: false });
    await jsm.streams.purge(SIGNUP_EVENTS_STREAM);
    for (const table of TABLES) await knex(table).delete();
  });

  after(async () => {
    await index?.close();
    await prospects?.close();
    await knex?.destroy();
    await environment?.close();
  });

  async function outboxRows(): Promise<number> {
    const [row] = await knex('ProspectOutbox').count<{ n: number | string }[]>({ n: '*' });
    return Number(row?.n ?? 0);
  }

  async function publishedByRelay(web: WebHost): Promise<number> {
    const text = await (await fetch(`${web.url}/metrics`)).text();
    return Number(/^signup_outbox_published_total (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
  }

  /** Waits until every accepted sign-up is indexed and the outbox is empty, then reports the index. */
  async function settle(ledger: SignUpLedger): Promise<{ report: DeliveryReport; outboxLeft: number; streamMessages: number; prospectRows: number }> {
    await index.waitForAll(ledger.accepted, 120_000);
    await waitUntil(async () => (await outboxRows()) === 0, { timeoutMs: 60_000, intervalMs: 250, description: 'the outbox to be empty' });
    await environment.waitForQuiescence(60_000, INDEX_HANDLER_NAME);
    const prospectRows = (await prospects.rows()).length;
    return { report: await index.report(ledger.accepted), outboxLeft: await outboxRows(), streamMessages: await environment.streamMessageCount(), prospectRows };
  }

  function expectEveryRowIndexedOnce(settled: Awaited<ReturnType<typeof settle>>, accepted: number): void {
    const { report } = settled;
    expect(report.accepted).to.equal(accepted);
    expect(report.missing, 'every accepted sign-up indexed').to.deep.equal([]);
    expect(report.unexpected, 'nothing indexed that was not accepted').to.deep.equal([]);
    expect(report.saved, 'rows in ProspectIndex').to.equal(accepted);
    expect(report.duplicates, 'no sign-up indexed twice').to.equal(0);
    expect(settled.prospectRows, 'rows in Prospects').to.equal(accepted);
    expect(settled.streamMessages, 'events in the stream: each sign-up once').to.equal(accepted);
    expect(settled.outboxLeft, 'the outbox is empty').to.equal(0);
    expect(report.deadLettered).to.equal(0);
  }

  it('11a (NATS stopped for 15 s during a burst): every sign-up answered 201, and each reaches the index once', async function () {
    const TITLE = '11a (nats-server stopped for 15 s during 3000 synchronous sign-ups)';
    const SIGN_UPS = 3000;
    const web = await environment.startOutboxWeb();
    webs.push(web);
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 20, ratePerSecond: 100, formEvery: 10 });
    await waitUntil(() => ledger.attempts.length >= SIGN_UPS / 5, { timeoutMs: 60_000, intervalMs: 20 });
    await environment.nats.stop({ keepStore: true });
    const stoppedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, NATS_DOWN_MS));
    const backlogAtRestart = await outboxRows();
    await environment.nats.restart();
    const restartedAt = performance.now();
    await burst;
    const answeredWhileDown = ledger.attempts.filter((attempt) => attempt.startedAt > stoppedAt && attempt.startedAt + attempt.latencyMs < restartedAt);
    const settled = await settle(ledger);
    console.log(`      ${scenarioLine(TITLE, settled.report, {
      answeredWhileNatsDown: answeredWhileDown.length,
      outboxAtRestart: backlogAtRestart,
      streamMessages: settled.streamMessages,
      outboxLeft: settled.outboxLeft,
      publishedByRelay: await publishedByRelay(web),
    })}`.replace('saved=', 'indexed='));

    expect(ledger.unexpectedAttempts([201, 303]), 'every sign-up answered 201 (303 for the form)').to.deep.equal([]);
    expect(answeredWhileDown.length, 'sign-ups answered while NATS was down').to.be.greaterThan(1000);
    expect(backlogAtRestart, 'the outbox held what NATS could not take').to.be.greaterThan(1000);
    expectEveryRowIndexedOnce(settled, SIGN_UPS);
  });

  it('11b (kill -9 of the web in the middle of a burst, then a restart): every sign-up answered 201 reaches the index once', async function () {
    const TITLE = '11b (kill -9 of signup-web in the middle of 2000 synchronous sign-ups, then a restart)';
    const SIGN_UPS = 2000;
    const first = await environment.startOutboxWeb('signup-web #1');
    webs.push(first);
    const ledger = new SignUpLedger();
    const burst = new SignUpTraffic(first.url, ledger).burst({ count: SIGN_UPS, concurrency: 20, ratePerSecond: 200 });
    await waitUntil(() => ledger.attempts.length >= SIGN_UPS / 2, { timeoutMs: 60_000, intervalMs: 10 });
    const exit = await first.process.kill();
    const acceptedAtKill = ledger.accepted.size;
    await burst;
    const storedBeforeRestart = await prospects.storedAmong(ledger.unaccepted().map((signUp) => signUp.correlationId));
    const outboxAtKill = await outboxRows();
    const second = await environment.startOutboxWeb('signup-web #2');
    webs.push(second);
    await new SignUpTraffic(second.url, ledger).retryUnaccepted({ timeoutMs: 60_000 });
    const settled = await settle(ledger);
    console.log(`      ${scenarioLine(TITLE, settled.report, {
      acceptedBeforeKill: acceptedAtKill,
      unansweredAtKill: ledger.attempts.filter((attempt) => attempt.status === 0).length,
      storedButUnanswered: storedBeforeRestart.length,
      outboxAfterKill: outboxAtKill,
      streamMessages: settled.streamMessages,
      outboxLeft: settled.outboxLeft,
    })}`.replace('saved=', 'indexed='));

    expect(exit.signal, 'the web was killed by SIGKILL').to.equal('SIGKILL');
    expect(acceptedAtKill).to.be.greaterThan(500);
    expect(ledger.unaccepted().length, 'every sign-up accepted after the restart').to.equal(0);
    expect(ledger.unexpectedAttempts([201, 0]), 'only 201, or no answer from the killed web').to.deep.equal([]);
    expectEveryRowIndexedOnce(settled, SIGN_UPS);
  });

  it('11c (two web instances share the database): no event is published twice, and each reaches the index once', async function () {
    const TITLE = '11c (two signup-web instances on one database, 3000 synchronous sign-ups split between them)';
    const SIGN_UPS = 3000;
    const pair = [await environment.startOutboxWeb('signup-web A'), await environment.startOutboxWeb('signup-web B')];
    webs.push(...pair);
    const ledger = new SignUpLedger();
    await Promise.all(pair.map((web, i) => new SignUpTraffic(web.url, ledger)
      .burst({ count: SIGN_UPS / 2, firstIndex: i * SIGN_UPS, concurrency: 20, ratePerSecond: 150 })));
    const settled = await settle(ledger);
    const published = await Promise.all(pair.map(publishedByRelay));
    console.log(`      ${scenarioLine(TITLE, settled.report, {
      publishedByA: published[0]!,
      publishedByB: published[1]!,
      streamMessages: settled.streamMessages,
      outboxLeft: settled.outboxLeft,
    })}`.replace('saved=', 'indexed='));

    expect(ledger.unexpectedAttempts([201]), 'every sign-up answered 201').to.deep.equal([]);
    expect(published[0]! + published[1]!, 'rows published by the two relays together: each once').to.equal(SIGN_UPS);
    expectEveryRowIndexedOnce(settled, SIGN_UPS);
  });

  it('11d (a save handler beside a synchronous web): the Prospects rows equal the distinct EventIds', async function () {
    const TITLE = '11d (signup-handler save beside a synchronous signup-web, 2000 sign-ups)';
    const SIGN_UPS = 2000;
    const web = await environment.startOutboxWeb();
    webs.push(web);
    const saveHandler = await environment.startHandler('signup-handler save');
    extraHosts.push(saveHandler);
    const ledger = new SignUpLedger();
    await new SignUpTraffic(web.url, ledger).burst({ count: SIGN_UPS, concurrency: 20, ratePerSecond: 200 });
    const settled = await settle(ledger);
    await environment.waitForQuiescence(60_000, SAVE_HANDLER_NAME);
    const saved = await prospects.report(ledger.accepted);
    const distinct = new Set((await prospects.rows()).map((row) => row.eventId)).size;
    const handled = saveHandler.matching('Prospect saved.').length;
    console.log(`      ${scenarioLine(TITLE, saved, {
      distinctEventIds: distinct,
      savedByHandler: handled,
      indexed: settled.report.saved,
      streamMessages: settled.streamMessages,
    })}`);

    expect(ledger.unexpectedAttempts([201]), 'every sign-up answered 201').to.deep.equal([]);
    expect(saved.saved, 'Prospects rows').to.equal(distinct);
    expect(distinct).to.equal(SIGN_UPS);
    expect(saved.duplicates).to.equal(0);
    expect(saved.missing).to.deep.equal([]);
    expect(saved.unexpected).to.deep.equal([]);
    expectEveryRowIndexedOnce(settled, SIGN_UPS);
  });
});
