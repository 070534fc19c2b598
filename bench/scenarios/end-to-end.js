import { SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { CpuMeter, natsServerPid } from '../lib/cpu-meter.js';
import {
  HANDLER_MAIN, startHandlerProcess, startWebProcess,
} from '../lib/hosts.js';
import { postSignUps } from '../lib/http-load.js';
import { connectNats, consumerLag, storedEventCount } from '../lib/jetstream.js';
import { percentile, ProspectsWatcher, waitForProspectCount } from '../lib/prospects-watcher.js';
import { withServices } from '../lib/services.js';

/**
 * @typedef {object} EndToEndResult
 * @property {string} label
 * @property {number} offeredPerSecond
 * @property {number} durationS
 * @property {number} connections
 * @property {import('../lib/http-load.js').LoadResult} load
 * @property {number} stored rows seen in PostgreSQL
 * @property {number} commitP50Ms publish-to-commit latency (SignedUpAt → row visible)
 * @property {number} commitP99Ms
 * @property {number} commitMaxMs
 * @property {number | undefined} lagAtEnd events the save handler had not acknowledged when the load stopped
 * @property {number} caughtUpMs from the load stopping to every event of the stream visible in PostgreSQL
 * @property {number} pollIntervalMs
 * @property {number | undefined} webPeakRssMb
 * @property {number | undefined} handlerPeakRssMb
 * @property {Awaited<ReturnType<CpuMeter['stop']>>} cpu where the CPU went during the load
 */

const SETTLE_MS = 200;

/** How the two hosts are started for one end-to-end run. */
const VARIANTS = {
  product: {
    label: 'signup-web async + signup-handler save',
    web: [],
    handler: { script: HANDLER_MAIN, args: ['save'], env: {} },
  },
  whatIf: {
    label: 'what-if: warn-level logs',
    web: [],
    handler: { script: HANDLER_MAIN, args: ['save'], env: { Logging__LogLevel: 'warn' } },
  },
};

/**
 * Section 3: a fixed offered load of sign-ups through `signup-web` (async, JetStream)
 * with `signup-handler save` running, after a warm-up at the same rate that the
 * handler has stored; how long each sign-up takes from acceptance to being visible
 * in PostgreSQL, and how far behind the handler is when the load stops. With
 * `whatIf`, the same again with the changes the other sections point at.
 *
 * @param {{ ratePerSecond: number, durationS: number, warmupS: number, connections: number, pollIntervalMs: number,
 *   whatIf: boolean, nodeArgsFor: (name: string) => string[], log: (line: string) => void }} settings
 * @returns {Promise<{ product: EndToEndResult, whatIf?: EndToEndResult }>}
 */
export async function benchEndToEnd(settings) {
  const product = await runEndToEnd(settings, 'product');
  if (!settings.whatIf) return { product };
  return { product, whatIf: await runEndToEnd(settings, 'whatIf') };
}

/**
 * @param {Parameters<typeof benchEndToEnd>[0]} settings
 * @param {keyof typeof VARIANTS} variantName
 * @returns {Promise<EndToEndResult>}
 */
async function runEndToEnd({ ratePerSecond, durationS, warmupS, connections, pollIntervalMs, nodeArgsFor, log }, variantName) {
  const variant = VARIANTS[variantName];
  return withServices(async ({ nats, database }) => {
    const env = { MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: database.url };
    log(`end to end (${variant.label}): ${ratePerSecond} sign-ups/s for ${durationS} s`);
    const web = await startWebProcess({
      name: 'signup-web async',
      env: { ...env, Dependencies__IProspectSaveHandler: 'AsynchronousProspectSaveHandler' },
      nodeArgs: [...nodeArgsFor(`e2e-${variantName}-web`), ...variant.web],
    });
    let handler;
    const nc = await connectNats(nats.url);
    const watcher = new ProspectsWatcher(database.url, { intervalMs: pollIntervalMs });
    try {
      handler = (await startHandlerProcess({
        name: 'signup-handler',
        script: variant.handler.script,
        args: variant.handler.args,
        env: { ...env, ...variant.handler.env },
        nodeArgs: nodeArgsFor(`e2e-${variantName}-handler`),
        listening: () => nc.jetstreamManager().then((jsm) => jsm.consumers.info(SIGNUP_EVENTS_STREAM, 'save-handler')).then(() => true, () => false),
      })).process;
      // Requests still in flight when a load stops are answered and published after it: let them land first.
      const everythingStored = async () => {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        return waitForProspectCount(database.url, await storedEventCount(nc), { intervalMs: 10, timeoutMs: 60_000 });
      };
      if (warmupS > 0) {
        await postSignUps({ url: web.url, durationS: warmupS, connections, overallRate: ratePerSecond });
        await everythingStored();
      }
      await watcher.start();
      const meter = new CpuMeter({
        processes: { web: web.process.pid, handler: handler.pid, 'nats-server': natsServerPid(nats.port) },
        databaseUrl: database.url,
      });
      await meter.start();
      const load = await postSignUps({ url: web.url, durationS, connections, overallRate: ratePerSecond });
      const stoppedAt = performance.now();
      const lagAtEnd = await consumerLag(nc, 'save-handler');
      const cpu = await meter.stop();
      await everythingStored();
      // The watcher's next poll sees the last rows; its time of first sight is when the handler had caught up.
      await new Promise((resolve) => setTimeout(resolve, 2 * pollIntervalMs + 50));
      const result = {
        label: variant.label,
        offeredPerSecond: ratePerSecond,
        durationS,
        connections,
        load,
        stored: watcher.seen,
        commitP50Ms: percentile(watcher.latenciesMs, 0.5),
        commitP99Ms: percentile(watcher.latenciesMs, 0.99),
        commitMaxMs: watcher.latenciesMs.reduce((max, value) => Math.max(max, value), 0),
        lagAtEnd,
        caughtUpMs: Math.max(0, watcher.lastNewRowAt - stoppedAt),
        pollIntervalMs,
        webPeakRssMb: web.process.peakRssMb(),
        handlerPeakRssMb: handler.peakRssMb(),
        cpu,
      };
      log(`  ${load.okPerSecond.toFixed(0)} accepted/s, publish-to-commit p50 ${result.commitP50Ms} ms p99 ${result.commitP99Ms} ms, lag at end ${lagAtEnd}, caught up after ${result.caughtUpMs.toFixed(0)} ms`);
      return result;
    } finally {
      await watcher.stop().catch(() => undefined);
      await nc.drain().catch(() => undefined);
      await handler?.stop();
      await web.process.stop();
    }
  });
}
