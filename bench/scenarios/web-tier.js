/* global fetch */
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { DEFAULT_BODY_LIMIT_BYTES } from '@signup/host-web';
import { CpuMeter, natsServerPid } from '../lib/cpu-meter.js';
import {
  BARE_KOA_MAIN, startWebProcess, WEB_WITHOUT_QUEUE_MAIN,
} from '../lib/hosts.js';
import { postSignUps } from '../lib/http-load.js';
import { OtlpSink } from '../lib/otlp-sink.js';
import { withServices } from '../lib/services.js';
import { medianResult } from '../lib/spread.js';
import { TcpProxy } from '../lib/tcp-proxy.js';

const SYNC = 'SynchronousProspectSaveHandler';
const ASYNC = 'AsynchronousProspectSaveHandler';

/**
 * @typedef {object} WebModeResult
 * @property {string} mode
 * @property {string} label
 * @property {boolean} whatIf a variant to locate a cost, not the product as shipped
 * @property {import('../lib/http-load.js').LoadResult} load
 * @property {number | undefined} peakRssMb
 * @property {Awaited<ReturnType<CpuMeter['stop']>>} cpu where the CPU went during the measured run
 * @property {{ status: number, ms: number } | undefined} [firstAfterCut]
 */

/** The database URL with its port replaced by the proxy's. */
function throughProxy(url, proxy) {
  const copy = new URL(url);
  copy.hostname = '127.0.0.1';
  copy.port = String(proxy.port);
  return copy.href;
}

/** One request right after the cut: how long the first sign-up takes to be refused. */
async function firstAnswer(url) {
  const started = performance.now();
  const response = await fetch(`${url}/api/prospects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ firstName: 'First', lastName: 'Answer', emailAddress: 'first.answer@example.com', countryCode: 'GBR', roleCode: 'EN' }),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

/**
 * Warms the server up, then measures it under a closed-loop load.
 *
 * @param {{ url: string, process: import('../lib/node-process.js').NodeProcess }} web
 * @param {{ durationS: number, warmupS: number, connections: number }} settings
 * @param {{ nats?: import('@signup/test-support/nats-server').NatsServer, databaseUrl?: string }} services
 * @param {OtlpSink} [sink] the collector of a traced mode: what it got during the warm-up is not counted
 */
async function measure(web, { durationS, warmupS, connections }, { nats, databaseUrl }, sink) {
  if (warmupS > 0) await postSignUps({ url: web.url, durationS: warmupS, connections });
  sink?.take();
  const meter = new CpuMeter({
    processes: { web: web.process.pid, ...(nats === undefined ? {} : { 'nats-server': natsServerPid(nats.port) }) },
    databaseUrl,
  });
  await meter.start();
  const load = await postSignUps({ url: web.url, durationS, connections });
  const cpu = await meter.stop();
  return { load, cpu, peakRssMb: web.process.peakRssMb() };
}

/**
 * Section 1: the web tier under autocannon against `POST /api/prospects` in every
 * mode; with `whatIf`, also variants that locate where the asynchronous request's
 * time goes: the web app over a publisher that does nothing; the NATS client
 * without its per-request stack traces and with its socket writes coalesced per
 * event-loop turn; and publishes acknowledged through one inbox with coalesced writes. The
 * asynchronous mode runs again with tracing on, every request sampled and exported as
 * OTLP/HTTP JSON to a sink in this process. Every mode runs `rounds` times, interleaved; its row
 * is its median round, and the figures of every round are kept, in round order, for the ratios.
 *
 * @param {{ rounds: number, durationS: number, downDurationS: number, warmupS: number, connections: number, whatIf: boolean,
 *   nodeArgsFor: (name: string) => string[], log: (line: string) => void }} settings
 * @returns {Promise<(WebModeResult & { round: number, roundsRequestsPerSecond: number[], roundsP99Ms: number[] })[]>}
 */
export async function benchWebTier(settings) {
  /** @type {(WebModeResult & { round: number })[]} */
  const measured = [];
  for (let round = 1; round <= settings.rounds; round += 1) {
    await runModes(settings, round, measured);
  }
  // Each mode's row is its median round; the ratios are taken round by round (bench/lib/targets.js).
  const modes = [...new Set(measured.map((result) => result.mode))];
  return modes.map((mode) => measured.filter((result) => result.mode === mode)).map((results) => ({
    ...medianResult(results, (result) => result.load.requestsPerSecond),
    roundsP99Ms: results.map((other) => other.load.p99Ms),
    roundsRequestsPerSecond: results.map((other) => other.load.requestsPerSecond),
  }));
}

/**
 * One round: every mode once, each in a fresh process with fresh services.
 *
 * @param {Parameters<typeof benchWebTier>[0]} settings
 * @param {number} round
 * @param {(WebModeResult & { round: number })[]} results where to add what was measured
 */
async function runModes(settings, round, results) {
  const { log } = settings;
  const nodeArgsFor = (name) => settings.nodeArgsFor(`${name}-round${round}`);
  const run = async (mode, label, start, { durationS = settings.durationS, cutBefore, services = {}, sink } = {}) => {
    log(`web tier, round ${round}/${settings.rounds}: ${label}`);
    const web = await start();
    try {
      let firstAfterCut;
      if (cutBefore !== undefined) {
        await cutBefore();
        firstAfterCut = await firstAnswer(web.url);
      }
      const outcome = await measure(web, { ...settings, durationS }, services, sink);
      const exported = sink === undefined ? {} : { exported: sink.take() };
      results.push({ mode, label, round, whatIf: mode.startsWith('what-if'), ...outcome, ...exported, ...(firstAfterCut === undefined ? {} : { firstAfterCut }) });
      const { load } = outcome;
      log(`  ${load.requestsPerSecond.toFixed(0)} req/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, status ${JSON.stringify(load.statusCodes)}, errors ${load.errors}`
        + (sink === undefined ? '' : `, ${exported.exported.spans} spans exported during the window`));
    } finally {
      await web.process.stop();
    }
  };

  await run('baseline', 'bare Koa (202, no work)', () => startWebProcess({
    name: 'bare-koa',
    script: BARE_KOA_MAIN,
    env: { BENCH_BODY_LIMIT_BYTES: String(DEFAULT_BODY_LIMIT_BYTES) },
    nodeArgs: nodeArgsFor('web-baseline'),
  }));

  // The plain synchronous save (Outbox:Enabled=false), the original's path.
  await withServices(({ database }) => run('sync', 'sync, PostgreSQL up', () => startWebProcess({
    name: 'signup-web sync',
    env: { Dependencies__IProspectSaveHandler: SYNC, ConnectionStrings__SignUpDb: database.url, Outbox__Enabled: 'false' },
    nodeArgs: nodeArgsFor('web-sync'),
  }), { services: { databaseUrl: database.url } }));

  // The same save with the transactional outbox, its relay publishing to JetStream in the same process meanwhile.
  await withServices(({ nats, database }) => run('sync-outbox', 'sync with the outbox, PostgreSQL up, relay to JetStream', () => startWebProcess({
    name: 'signup-web sync outbox',
    env: { Dependencies__IProspectSaveHandler: SYNC, MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: database.url },
    nodeArgs: nodeArgsFor('web-sync-outbox'),
  }), { services: { nats, databaseUrl: database.url } }));

  await withServices(({ nats, database }) => run('async', 'async, JetStream', () => startWebProcess({
    name: 'signup-web async',
    env: { Dependencies__IProspectSaveHandler: ASYNC, MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: database.url },
    nodeArgs: nodeArgsFor('web-async'),
  }), { services: { nats, databaseUrl: database.url } }));

  await withServices(async ({ nats, database }) => {
    const sink = await OtlpSink.start();
    try {
      await run('async-traced', 'async, JetStream, tracing on (OTLP, all sampled)', () => startWebProcess({
        name: 'signup-web async traced',
        env: { Dependencies__IProspectSaveHandler: ASYNC, MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: database.url, ...sink.env },
        nodeArgs: nodeArgsFor('web-async-traced'),
      }), { services: { nats, databaseUrl: database.url }, sink });
    } finally {
      await sink.close();
    }
  });

  await withServices(async ({ nats, database }) => {
    const target = new URL(database.url);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.listen();
    await run('async-db-down', 'async, database unreachable', () => startWebProcess({
      name: 'signup-web async (database cut)',
      env: { Dependencies__IProspectSaveHandler: ASYNC, MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: throughProxy(database.url, proxy) },
      nodeArgs: nodeArgsFor('web-async-db-down'),
    }), { cutBefore: () => proxy.cut(), services: { nats } });
  });

  await withServices(async ({ database }) => {
    const target = new URL(database.url);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.listen();
    await run('sync-db-down', 'sync, database unreachable', () => startWebProcess({
      name: 'signup-web sync (database cut)',
      env: { Dependencies__IProspectSaveHandler: SYNC, ConnectionStrings__SignUpDb: throughProxy(database.url, proxy), Outbox__Enabled: 'false' },
      nodeArgs: nodeArgsFor('web-sync-db-down'),
    }), { durationS: settings.downDurationS, cutBefore: () => proxy.cut() });
  });

  if (settings.whatIf) {
    await run('what-if-no-queue', 'what-if: web app, no-op publisher', () => startWebProcess({
      name: 'signup-web app without a queue',
      script: WEB_WITHOUT_QUEUE_MAIN,
      env: {},
      nodeArgs: nodeArgsFor('web-what-if-no-queue'),
    }));
  }
}
