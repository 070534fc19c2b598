import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import type { NatsClusterNode } from '@signup/test-support/nats-cluster';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  describeStatusWindow, FaultEnvironment, redeliveries, savedEventIds, scenarioLine, settleSignUps, SignUpLedger, SignUpTraffic, statusWindow,
} from '../../src/faults/index.js';
import { waitUntil, type HostProcess, type WebHost } from '../../src/index.js';
import { expectNothingLost } from './expect-cluster-outcome.js';

const TITLE = '9 (three-node cluster, R3: the stream leader cut off from the other two and from its clients, then healed)';
const SIGN_UPS = 3000;
// Slow enough that sign-ups still arrive after the cut-off server's clients noticed (missed pings) and moved.
const RATE_PER_SECOND = 50;
const RECONNECTED = 'Reconnected to message queue';

/**
 * The partition: every route of the cluster and every client port goes through a TCP proxy
 * (`NatsCluster` with `partitionable`), and isolating a server freezes all of its proxies. The
 * server keeps running with its state, but no packet reaches it or leaves it, as when its network
 * link fails; the two others still see each other. Its clients only notice through missed pings.
 */
describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  let cutOff: NatsClusterNode;
  let onCutOff: HostProcess;
  let onMajority: HostProcess;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start({ cluster: { partitionable: true } });
    const cluster = environment.cluster!;
    web = await environment.startAsynchronousWeb();
    cutOff = await cluster.streamLeader(SIGNUP_EVENTS_STREAM);
    const other = cluster.nodes.find((node) => node !== cutOff)!;
    // Handler A connects through the server that will be cut off, B through another; both learn the rest from the cluster.
    onCutOff = await environment.startHandler('signup-handler A', 'direct', cutOff.url);
    onMajority = await environment.startHandler('signup-handler B', 'direct', other.url);
  });

  after(async () => {
    await environment?.close();
  });

  it('moves the cut-off server\'s clients to the majority and loses nothing', async () => {
    const cluster = environment.cluster!;
    const ledger = new SignUpLedger();
    const traffic = new SignUpTraffic(web.url, ledger);
    const burst = traffic.burst({ count: SIGN_UPS, concurrency: 50, ratePerSecond: RATE_PER_SECOND });

    await waitUntil(() => ledger.attempts.length >= 400, { timeoutMs: 60_000, intervalMs: 20 });
    const savedByABeforeCut = new Set(savedEventIds(onCutOff)).size;
    const cutAt = performance.now();
    const cutAtWallClock = Date.now();
    cluster.isolate(cutOff);
    const successor = await cluster.waitForNewStreamLeader(SIGNUP_EVENTS_STREAM, cutOff.name);
    const leaderSeenAfterMs = Math.round(performance.now() - cutAt);
    // The handler's own log time of its reconnect, not when this test looked.
    const handlerMovedAfterMs = Date.parse((await onCutOff.waitForLine(RECONNECTED, 60_000)).slice(0, 24)) - cutAtWallClock;
    await waitUntil(() => new Set(savedEventIds(onCutOff)).size > savedByABeforeCut + 10,
      { timeoutMs: 60_000, intervalMs: 100, description: 'handler A to save again through the majority' }).catch((error: unknown) => {
      console.log(onCutOff.lines.filter((line) => !/Prospect saved|Received event|Saving prospect/.test(line)).slice(-60).join('\n'));
      throw error;
    });
    const savedByAWhileCut = new Set(savedEventIds(onCutOff)).size - savedByABeforeCut;
    expect(cutOff.running && cutOff.isolated, 'the cut-off server still runs, cut off').to.equal(true);

    const healedAt = performance.now();
    cluster.heal(cutOff);
    await burst;
    await cluster.waitForCurrentReplicas(SIGNUP_EVENTS_STREAM);

    const settled = await settleSignUps(environment, ledger, traffic);
    const { report, answered503, unconfirmed503 } = settled;
    console.log(`      ${scenarioLine(TITLE, report, {
      answered503,
      unconfirmed503,
      storedDespite503: settled.storedDespite503.length,
      cut: `${cutOff.name}:${describeStatusWindow(503, statusWindow(ledger.attempts, 503, cutAt, healedAt))}`,
      newLeaderSeenByTestAfterMs: `${successor.name}@${leaderSeenAfterMs}`,
      handlerAMovedAfterMs: handlerMovedAfterMs,
      heal: describeStatusWindow(503, statusWindow(ledger.attempts, 503, healedAt)),
      savedByAWhileCut,
      savedByA: new Set(savedEventIds(onCutOff)).size,
      savedByB: new Set(savedEventIds(onMajority)).size,
      redelivered: redeliveries(onCutOff, onMajority),
    })}`);

    expectNothingLost(ledger, settled, SIGN_UPS);
    expect(onCutOff.running && onMajority.running && web.process.running, 'no host restarted').to.equal(true);
    expect(savedByAWhileCut, 'handler A saved through the majority while its server was cut off').to.be.greaterThan(0);
  });
});
