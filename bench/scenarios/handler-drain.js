import { performance } from 'node:perf_hooks';
import { SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { CpuMeter, natsServerPid } from '../lib/cpu-meter.js';
import { HANDLER_MAIN, NAIVE_HANDLER_MAIN, waitUntil } from '../lib/hosts.js';
import { connectNats, publishSignUpEvents } from '../lib/jetstream.js';
import { NodeProcess } from '../lib/node-process.js';
import { OtlpSink } from '../lib/otlp-sink.js';
import { waitForProspectCount } from '../lib/prospects-watcher.js';
import { withDatabase, withServices } from '../lib/services.js';
import { alternate, loadAverage, medianResult } from '../lib/spread.js';
import { measureInsertCeiling } from './repository-insert.js';

/** @typedef {import('./repository-insert.js').InsertResult} InsertResult */

/**
 * @typedef {object} DrainResult
 * @property {string} handler
 * @property {string} key
 * @property {number} events events stored
 * @property {number} drainMs from the handler's consumer existing to the last row committed
 * @property {number} eventsPerSecond
 * @property {number} startupMs from spawning the process to its consumer existing
 * @property {number | undefined} peakRssMb
 * @property {Awaited<ReturnType<CpuMeter['stop']>>} cpu where the CPU went while draining
 */

/**
 * Starts a handler process on a fresh, migrated database, waits until `events`
 * rows are stored in `table` (`Prospects` by default), stops it. The drain starts
 * when the handler's durable consumer exists (it fetches right after creating it).
 *
 * @returns {Promise<DrainResult>}
 */
export async function drain({ key, handler, events, nc, natsPid, durable, script, args = [], env, nodeArgs, table = 'Prospects' }) {
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.delete(SIGNUP_EVENTS_STREAM, durable).catch(() => undefined);
  return withDatabase({ migrate: true }, async (database) => {
    const child = new NodeProcess({ name: handler, script, args, env: { ...env, ConnectionStrings__SignUpDb: database.url }, nodeArgs });
    try {
      await waitUntil(async () => {
        if (!child.running) throw new Error(`${handler} exited:\n${child.output()}`);
        return (await jsm.consumers.info(SIGNUP_EVENTS_STREAM, durable).then(() => true, () => undefined));
      }, { what: `${handler} to create its consumer`, intervalMs: 5 });
      const startedAt = performance.now();
      const meter = new CpuMeter({ processes: { handler: child.pid, 'nats-server': natsPid }, databaseUrl: database.url });
      await meter.start();
      const doneAt = await waitForProspectCount(database.url, events, { timeoutMs: 180_000, table });
      const cpu = await meter.stop();
      const drainMs = doneAt - startedAt;
      return {
        key,
        handler,
        events,
        drainMs,
        eventsPerSecond: events / (drainMs / 1000),
        startupMs: startedAt - child.startedAt,
        peakRssMb: child.peakRssMb(),
        cpu,
      };
    } finally {
      await child.stop();
    }
  });
}

/**
 * Section 2: `events` sign-ups already in the stream. In each of `rounds` alternating
 * rounds: how fast `signup-handler save` stores them all; the repository's own
 * batch-insert ceiling (`SqlProspectRepository.saveMany`, batches of 1000, the same
 * number of rows, see repository-insert.js); the same drain with tracing on (every
 * message's spans exported as OTLP/HTTP JSON to a sink in this process); and how fast
 * the one-row-per-message baseline stores the first `naiveEvents` of the same stream.
 * With `whatIf`, round 1 also drains with warn-level logs (without the two info lines
 * per event the original's log format asks for). The rows shown are each one's median
 * round; every round is kept for the ratios (docs/benchmarks.md, "Method").
 *
 * @param {{ events: number, naiveEvents: number, rounds: number, whatIf: boolean, nodeArgsFor: (name: string) => string[], log: (line: string) => void }} settings
 * @returns {Promise<{ publishMs: number, loadAverage: number[] | undefined, handler: DrainResult, traced: DrainResult & { exported: { spans: number } },
 *   tuned?: DrainResult, naive: DrainResult, ceiling: InsertResult,
 *   rounds: { handler: DrainResult[], traced: (DrainResult & { exported: { spans: number } })[], naive: DrainResult[], ceiling: InsertResult[] } }>}
 */
export async function benchHandlerDrain({ events, naiveEvents, rounds, whatIf, nodeArgsFor, log }) {
  return withServices(async ({ nats }) => {
    const nc = await connectNats(nats.url);
    try {
      const loadAtStart = loadAverage();
      log(`handler drain: publishing ${events} events (load average ${loadAtStart?.join(' ') ?? 'n/a'})`);
      const publishMs = await publishSignUpEvents(nc, events);
      log(`  published in ${(publishMs / 1000).toFixed(1)} s`);
      const common = { nc, natsPid: natsServerPid(nats.port), env: { MessageQueue__Url: nats.url } };
      const report = (result) => log(`  ${result.handler}: ${result.eventsPerSecond.toFixed(0)} events/s (${(result.drainMs / 1000).toFixed(2)} s)`);

      const measured = await alternate(rounds, {
        handler: async (round) => {
          log(`  round ${round}/${rounds}`);
          const result = await drain({
            ...common, key: 'handler', handler: 'signup-handler save', events, durable: 'save-handler',
            script: HANDLER_MAIN, args: ['save'], nodeArgs: nodeArgsFor(`handler-drain-round${round}`),
          });
          report(result);
          return result;
        },
        ceiling: async () => {
          const result = await measureInsertCeiling({ rows: events, batchSize: CEILING_BATCH });
          log(`  repository insert ceiling (saveMany, batch ${CEILING_BATCH}): ${result.rowsPerSecond.toFixed(0)} rows/s`);
          return result;
        },
        traced: async (round) => {
          const sink = await OtlpSink.start();
          try {
            const result = await drain({
              ...common, key: 'traced', handler: 'signup-handler save, tracing on (OTLP, all sampled)', events, durable: 'save-handler',
              script: HANDLER_MAIN, args: ['save'], env: { ...common.env, ...sink.env }, nodeArgs: nodeArgsFor(`handler-drain-traced-round${round}`),
            });
            result.exported = sink.take();
            report(result);
            log(`  ${result.exported.spans} spans exported, peak RSS ${result.peakRssMb} MB`);
            return result;
          } finally {
            await sink.close();
          }
        },
        naive: async (round) => {
          const result = await drain({
            ...common, key: 'naive', handler: 'naive: one insert + ack per message', events: naiveEvents, durable: 'naive-save-handler',
            script: NAIVE_HANDLER_MAIN, nodeArgs: nodeArgsFor(`handler-naive-round${round}`),
          });
          report(result);
          return result;
        },
      });
      const tuned = whatIf
        ? await drain({
          ...common, key: 'tuned', handler: 'what-if: signup-handler save, warn-level logs', events, durable: 'save-handler',
          script: HANDLER_MAIN, args: ['save'], env: { ...common.env, Logging__LogLevel: 'warn' },
          nodeArgs: nodeArgsFor('handler-drain-warn-logs'),
        })
        : undefined;
      if (tuned !== undefined) report(tuned);
      const byRate = (result) => result.eventsPerSecond;
      return {
        publishMs,
        loadAverage: loadAtStart,
        handler: medianResult(measured.handler, byRate),
        traced: medianResult(measured.traced, byRate),
        naive: medianResult(measured.naive, byRate),
        ceiling: medianResult(measured.ceiling, (result) => result.rowsPerSecond),
        rounds: measured,
        ...(tuned === undefined ? {} : { tuned }),
      };
    } finally {
      await nc.drain();
    }
  });
}

/** The batch size of the repository's insert ceiling: the save handler's batch. */
const CEILING_BATCH = 1000;
