import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { SAVE_HANDLER_NAME } from '@signup/domain';
import { freePort } from '@signup/test-support/free-port';
import type { NatsClusterNode } from '@signup/test-support/nats-cluster';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  describeStatusWindow, FaultEnvironment, ReadinessProbe, redeliveries, savedEventIds, scenarioLine, settleSignUps, SignUpLedger, SignUpTraffic,
  statusWindow,
} from '../../src/faults/index.js';
import { waitUntil, type HostProcess, type WebHost } from '../../src/index.js';
import { expectNothingLost } from './expect-cluster-outcome.js';

const TITLE = '9 (three-node cluster, R3: the leader of the stream and of the consumer cut off from the other two and from its clients, then healed)';
const SIGN_UPS = 3000;
// Slow enough that sign-ups still arrive after the cut-off server's clients noticed (missed pings) and moved.
const RATE_PER_SECOND = 50;
const RECONNECTED = 'Reconnected to message queue';
const SAVED = /Prospect saved\./;

/** The time a host logged a line (its lines start with an ISO timestamp). */
function loggedAt(line: string): number {
  return Date.parse(line.slice(0, 24));
}

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
  let readinessOfA: ReadinessProbe;
  let metaLeaderAtCut: string;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start({ cluster: { partitionable: true } });
    const cluster = environment.cluster!;
    web = await environment.startAsynchronousWeb();
    cutOff = await cluster.streamLeader(SIGNUP_EVENTS_STREAM);
    const other = cluster.nodes.find((node) => node !== cutOff)!;
    // Handler A connects through the server that will be cut off, B through another; both learn the rest from the cluster.
    const metricsPort = await freePort();
    onCutOff = await environment.startHandler('signup-handler A', 'direct', cutOff.url,
      { Metrics__Server__Enabled: 'true', Metrics__Server__Port: String(metricsPort), Logging__LogLevel: 'debug' });
    readinessOfA = new ReadinessProbe(`http://127.0.0.1:${metricsPort}/health/ready`, 1000);
    onMajority = await environment.startHandler('signup-handler B', 'direct', other.url);
    // The cut-off server also leads the handlers' consumer and (when ten step-downs get it there) the
    // JetStream meta group, so all of them have to move: the hard case.
    await cluster.moveConsumerLeader(SIGNUP_EVENTS_STREAM, SAVE_HANDLER_NAME, cutOff);
    for (let attempt = 0; attempt < 10 && await cluster.waitForMetaLeader() !== cutOff.name; attempt += 1) await cluster.stepDownMetaLeader();
    metaLeaderAtCut = await cluster.waitForMetaLeader();
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
    // A's readiness while it moves; the probe ends once A saves again.
    let aMoved = false;
    const readinessWhileMoving = pollUntil(readinessOfA, () => aMoved);
    const successor = await cluster.waitForNewStreamLeader(SIGNUP_EVENTS_STREAM, cutOff.name);
    const leaderSeenAfterMs = Math.round(performance.now() - cutAt);
    // The handler's own log times of its reconnect and its first save after it, not when this test looked.
    const reconnectLine = await onCutOff.waitForLine(RECONNECTED, 60_000);
    const handlerMovedAfterMs = loggedAt(reconnectLine) - cutAtWallClock;
    await waitUntil(() => new Set(savedEventIds(onCutOff)).size > savedByABeforeCut + 10,
      { timeoutMs: 60_000, intervalMs: 100, description: 'handler A to save again through the majority' }).catch((error: unknown) => {
      console.log(onCutOff.lines.filter((line) => !/Prospect saved|Received event|Saving prospect/.test(line)).slice(-60).join('\n'));
      throw error;
    });
    aMoved = true;
    const savedByAWhileCut = new Set(savedEventIds(onCutOff)).size - savedByABeforeCut;
    const afterReconnect = onCutOff.lines.slice(onCutOff.lines.indexOf(reconnectLine));
    const firstSaveAfterReconnect = afterReconnect.find((line) => SAVED.test(line))!;
    const receivingAfterReconnectMs = loggedAt(firstSaveAfterReconnect) - loggedAt(reconnectLine);
    const moveStatuses = await readinessWhileMoving;
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
      metaLeaderAtCut,
      newLeaderSeenByTestAfterMs: `${successor.name}@${leaderSeenAfterMs}`,
      handlerAMovedAfterMs: handlerMovedAfterMs,
      handlerAReceivingAfterReconnectMs: receivingAfterReconnectMs,
      readinessOfAWhileMoving: describeReadiness(moveStatuses),
      heal: describeStatusWindow(503, statusWindow(ledger.attempts, 503, healedAt)),
      savedByAWhileCut,
      savedByA: new Set(savedEventIds(onCutOff)).size,
      savedByB: new Set(savedEventIds(onMajority)).size,
      redelivered: redeliveries(onCutOff, onMajority),
    })}`);

    expectNothingLost(ledger, settled, SIGN_UPS);
    expect(onCutOff.running && onMajority.running && web.process.running, 'no host restarted').to.equal(true);
    expect(savedByAWhileCut, 'handler A saved through the majority while its server was cut off').to.be.greaterThan(0);
    expect(moveStatuses, 'handler A not ready while it moved').to.include(503);
    await waitUntil(async () => await readinessOfA.status() === 200,
      { timeoutMs: 10_000, intervalMs: 200, description: 'handler A to report ready again by itself' });
  });
});

/** Probes every 250 ms until `done()`; resolves with the statuses in order. */
async function pollUntil(probe: ReadinessProbe, done: () => boolean): Promise<number[]> {
  const statuses: number[] = [];
  while (!done()) statuses.push(...await probe.poll(250, 250));
  return statuses;
}

/** Runs of equal statuses: `200×12 503×40 200×3`. */
function describeReadiness(statuses: readonly number[]): string {
  const runs: string[] = [];
  let count = 0;
  statuses.forEach((status, index) => {
    count += 1;
    if (statuses[index + 1] !== status) {
      runs.push(`${status}×${count}`);
      count = 0;
    }
  });
  return runs.join(' ');
}
