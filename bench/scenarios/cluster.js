import { performance } from 'node:perf_hooks';
import { SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { NatsCluster } from '@signup/test-support/nats-cluster';
import { createTestDatabase } from '@signup/test-support/postgres';
import pg from 'pg';
import { CpuMeter, natsServerPid } from '../lib/cpu-meter.js';
import { HANDLER_MAIN, startHandlerProcess, startWebProcess } from '../lib/hosts.js';
import { postSignUps } from '../lib/http-load.js';
import { connectNats, publishSignUpEvents } from '../lib/jetstream.js';
import { waitForProspectCount } from '../lib/prospects-watcher.js';
import { withDatabase, withServices } from '../lib/services.js';
import { medianResult, ratioSpread } from '../lib/spread.js';

const ASYNC = 'AsynchronousProspectSaveHandler';

/**
 * @typedef {object} ClusterWebResult
 * @property {'single' | 'cluster'} mode
 * @property {string} label
 * @property {number} round
 * @property {import('../lib/http-load.js').LoadResult} load
 * @property {Awaited<ReturnType<CpuMeter['stop']>>} cpu
 */

/** Warms the web up, then measures it under a closed-loop load with the CPU of the web and every nats-server. */
async function measureWeb(web, natsPids, databaseUrl, { durationS, warmupS, connections }) {
  if (warmupS > 0) await postSignUps({ url: web.url, durationS: warmupS, connections });
  const meter = new CpuMeter({ processes: { web: web.process.pid, ...natsPids }, databaseUrl });
  await meter.start();
  const load = await postSignUps({ url: web.url, durationS, connections });
  const cpu = await meter.stop();
  return { load, cpu };
}

async function withCluster(action) {
  const cluster = await NatsCluster.start();
  let database;
  try {
    database = await createTestDatabase();
    return await action({ cluster, database });
  } finally {
    await database?.drop().catch(() => undefined);
    await cluster.stop();
  }
}

/**
 * Section "cluster": the asynchronous web tier (`POST /api/prospects`, PubAck awaited)
 * against one nats-server and against a three-node cluster with `MessageQueue:Replicas=3`,
 * interleaved for `rounds` rounds in fresh processes; each row is its median round.
 * The ratio cluster / single (median of the rounds' ratios) is the price of replicating
 * every event to three servers before the web answers.
 *
 * @param {{ rounds: number, durationS: number, warmupS: number, connections: number,
 *   nodeArgsFor: (name: string) => string[], log: (line: string) => void }} settings
 * @returns {Promise<{ single: ClusterWebResult, cluster: ClusterWebResult, ratio: number, ratioSpread: import('../lib/spread.js').Spread, rounds: ClusterWebResult[] }>}
 */
export async function benchClusterWeb(settings) {
  const { log } = settings;
  /** @type {ClusterWebResult[]} */
  const rounds = [];
  const run = async (mode, label, round, start, natsPids, databaseUrl) => {
    log(`cluster web, round ${round}/${settings.rounds}: ${label}`);
    const web = await start();
    try {
      const outcome = await measureWeb(web, natsPids, databaseUrl, settings);
      rounds.push({ mode, label, round, ...outcome });
      log(`  ${outcome.load.requestsPerSecond.toFixed(0)} req/s, p50 ${outcome.load.p50Ms} ms, p99 ${outcome.load.p99Ms} ms, status ${JSON.stringify(outcome.load.statusCodes)}`);
    } finally {
      await web.process.stop();
    }
  };
  for (let round = 1; round <= settings.rounds; round += 1) {
    await withServices(({ nats, database }) => run('single', 'async, one nats-server (R1)', round, () => startWebProcess({
      name: 'signup-web async single',
      env: { Dependencies__IProspectSaveHandler: ASYNC, MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: database.url },
      nodeArgs: settings.nodeArgsFor(`cluster-web-single-round${round}`),
    }), { 'nats-server': natsServerPid(nats.port) }, database.url));
    await withCluster(({ cluster, database }) => run('cluster', 'async, three-node cluster (R3)', round, () => startWebProcess({
      name: 'signup-web async cluster',
      env: {
        Dependencies__IProspectSaveHandler: ASYNC,
        MessageQueue__Url: cluster.url,
        MessageQueue__Replicas: '3',
        ConnectionStrings__SignUpDb: database.url,
      },
      nodeArgs: settings.nodeArgsFor(`cluster-web-r3-round${round}`),
    }), Object.fromEntries(cluster.nodes.map((node) => [`nats-server ${node.name}`, natsServerPid(node.server.port)])), database.url));
  }
  const rate = (mode) => rounds.filter((result) => result.mode === mode).map((result) => result.load.requestsPerSecond);
  const median = (mode) => medianResult(rounds.filter((result) => result.mode === mode), (result) => result.load.requestsPerSecond);
  const ratio = ratioSpread(rate('cluster'), rate('single'));
  return { single: median('single'), cluster: median('cluster'), ratio: ratio.median, ratioSpread: ratio, rounds };
}

/**
 * @typedef {object} ScaleResult
 * @property {number} instances
 * @property {number} events stored while every instance was listening
 * @property {number} drainMs from the last instance listening to the last row committed
 * @property {number} eventsPerSecond
 * @property {Awaited<ReturnType<CpuMeter['stop']>>} cpu
 */

async function countProspects(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('select count(*)::int as count from "Prospects"');
    return rows[0].count;
  } finally {
    await client.end();
  }
}

/**
 * Section "scale": `events` sign-ups already in the stream, drained by 1, 2 and 3
 * `signup-handler save` processes sharing the `save-handler` consumer, each time on a
 * fresh database. The rate counts from the moment the last instance listens (the
 * first ones start draining while the others start) to the last row committed.
 *
 * @param {{ events: number, nodeArgsFor: (name: string) => string[], log: (line: string) => void }} settings
 * @returns {Promise<ScaleResult[]>}
 */
export async function benchHandlerScale({ events, nodeArgsFor, log }) {
  return withServices(async ({ nats }) => {
    const nc = await connectNats(nats.url);
    try {
      log(`handler scale: publishing ${events} events`);
      await publishSignUpEvents(nc, events);
      const jsm = await nc.jetstreamManager();
      const results = [];
      for (const instances of [1, 2, 3]) {
        await jsm.consumers.delete(SIGNUP_EVENTS_STREAM, 'save-handler').catch(() => undefined);
        results.push(await withDatabase({ migrate: true }, async (database) => {
          const env = { MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: database.url, Database__Migrate: 'false' };
          const started = await Promise.all(Array.from({ length: instances }, (_, index) => startHandlerProcess({
            name: `signup-handler save ${index + 1}/${instances}`, script: HANDLER_MAIN, env,
            nodeArgs: nodeArgsFor(`handler-scale-${instances}-${index + 1}`),
          })));
          try {
            const startedAt = performance.now();
            const before = await countProspects(database.url);
            const meter = new CpuMeter({
              processes: { ...Object.fromEntries(started.map((handler, index) => [`handler ${index + 1}`, handler.process.pid])), 'nats-server': natsServerPid(nats.port) },
              databaseUrl: database.url,
            });
            await meter.start();
            const doneAt = await waitForProspectCount(database.url, events, { timeoutMs: 180_000 });
            const cpu = await meter.stop();
            const drainMs = doneAt - startedAt;
            const result = { instances, events: events - before, drainMs, eventsPerSecond: (events - before) / (drainMs / 1000), cpu };
            log(`  ${instances} instance(s): ${result.eventsPerSecond.toFixed(0)} events/s over the last ${result.events} events`);
            return result;
          } finally {
            await Promise.all(started.map((handler) => handler.process.stop()));
          }
        }));
      }
      return results;
    } finally {
      await nc.drain();
    }
  });
}
