import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  describeStatusWindow, FaultEnvironment, redeliveries, savedEventIds, scenarioLine, settleSignUps, SignUpLedger, SignUpTraffic, statusWindow,
} from '../../src/faults/index.js';
import { waitUntil, type HostProcess, type WebHost } from '../../src/index.js';
import { expectNothingLost } from './expect-cluster-outcome.js';

const TITLE = '8 (three-node cluster, R3: stream leader killed -9, restarted, then stepped down)';
const SIGN_UPS = 3000;

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  let first: HostProcess;
  let second: HostProcess;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start({ cluster: {} });
    const cluster = environment.cluster!;
    // The web gets the whole list; each handler is given one server, so they connect through different
    // servers, and learns the others from the cluster.
    web = await environment.startAsynchronousWeb();
    first = await environment.startHandler('signup-handler A', 'direct', cluster.node('n1').url);
    second = await environment.startHandler('signup-handler B', 'direct', cluster.node('n2').url);
  });

  after(async () => {
    await environment?.close();
  });

  it('loses nothing and answers nothing but 202 and 503 through a leader kill, its restart and a step-down', async () => {
    const cluster = environment.cluster!;
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 50, ratePerSecond: 150 });

    await waitUntil(() => ledger.attempts.length >= 500, { timeoutMs: 60_000, intervalMs: 20 });
    const killed = await cluster.streamLeader(SIGNUP_EVENTS_STREAM);
    const killedAt = performance.now();
    await cluster.kill(killed);
    const successor = await cluster.waitForNewStreamLeader(SIGNUP_EVENTS_STREAM, killed.name);
    const electedAfterKillMs = Math.round(performance.now() - killedAt);

    await waitUntil(() => ledger.attempts.length >= 1200, { timeoutMs: 60_000, intervalMs: 20 });
    const restartedAt = performance.now();
    await cluster.restart(killed);
    await cluster.waitForCurrentReplicas(SIGNUP_EVENTS_STREAM);

    await waitUntil(() => ledger.attempts.length >= 2000, { timeoutMs: 60_000, intervalMs: 20 });
    const steppedDownAt = performance.now();
    const former = (await cluster.streamLeader(SIGNUP_EVENTS_STREAM)).name;
    const stepped = await cluster.stepDownStreamLeader(SIGNUP_EVENTS_STREAM);
    await burst;

    const settled = await settleSignUps(environment, ledger, traffic);
    const { report, answered503, unconfirmed503 } = settled;
    console.log(`      ${scenarioLine(TITLE, report, {
      answered503,
      unconfirmed503,
      storedDespite503: settled.storedDespite503.length,
      kill: `${killed.name}:${describeStatusWindow(503, statusWindow(ledger.attempts, 503, killedAt, restartedAt))}`,
      newLeaderAfterMs: `${successor.name}@${electedAfterKillMs}`,
      restart: describeStatusWindow(503, statusWindow(ledger.attempts, 503, restartedAt, steppedDownAt)),
      stepDown: `${former}->${stepped.name}:${describeStatusWindow(503, statusWindow(ledger.attempts, 503, steppedDownAt))}`,
      savedByA: new Set(savedEventIds(first)).size,
      savedByB: new Set(savedEventIds(second)).size,
      redelivered: redeliveries(first, second),
    })}`);

    expectNothingLost(ledger, settled, SIGN_UPS);
    expect(first.running && second.running && web.process.running, 'no host restarted').to.equal(true);
    expect(savedEventIds(first).length, 'handler A took part').to.be.greaterThan(0);
    expect(savedEventIds(second).length, 'handler B took part').to.be.greaterThan(0);
  });
});
