import { fixed } from './report.js';
import { ratioSpread, spread } from './spread.js';

const RSS_LIMIT_MB = 200;

/**
 * @typedef {object} Target
 * @property {string} name
 * @property {string} measured
 * @property {boolean} met judged on the median where the figure was measured in rounds
 * @property {import('./spread.js').Spread} [spread] the figure of every round: median, min, max
 */

/** `0.84 × (0.80–0.86, 3 rounds)`: a median with its spread. */
function withSpread(value, digits, unit = '') {
  if (value.values.length < 2) return `${fixed(value.median, digits)}${unit}`;
  return `${fixed(value.median, digits)}${unit} (${fixed(value.min, digits)}–${fixed(value.max, digits)}, ${value.values.length} rounds)`;
}

/**
 * Checks the run against the targets of the benchmarks. Every target is a ratio or a
 * bound measured in this same run; a figure measured in alternating rounds is judged
 * on its median, and its minimum and maximum are shown beside it.
 *
 * @param {object} results what `run.js` collected
 * @returns {Target[]}
 */
export function checkTargets({ web, drain, endToEnd, analyticsQuery, indexDrain, outbox }) {
  /** @type {Target[]} */
  const targets = [];
  const add = (name, measured, met, figures) => targets.push({ name, measured, met, ...(figures === undefined ? {} : { spread: figures }) });
  const rounds = (mode) => mode.roundsRequestsPerSecond ?? [mode.load.requestsPerSecond];
  const byMode = Object.fromEntries((web ?? []).map((result) => [result.mode, result]));
  const { baseline, sync, async: asyncMode } = byMode;
  const down = byMode['async-db-down'];
  const syncDown = byMode['sync-db-down'];

  if (baseline !== undefined && asyncMode !== undefined) {
    const ratio = ratioSpread(rounds(asyncMode), rounds(baseline));
    add('async web, tracing off: req/s ≥ 0.65 × bare Koa', withSpread(ratio, 2, ' ×'), ratio.median >= 0.65, ratio);
    const p99 = ratioSpread(asyncMode.roundsP99Ms ?? [asyncMode.load.p99Ms], baseline.roundsP99Ms ?? [baseline.load.p99Ms]);
    add('async web p99 ≤ 3 × bare Koa p99', `${withSpread(p99, 2, ' ×')} (median round ${asyncMode.load.p99Ms} vs ${baseline.load.p99Ms} ms)`, p99.median <= 3, p99);
  }
  const traced = byMode['async-traced'];
  if (baseline !== undefined && traced !== undefined) {
    const ratio = ratioSpread(rounds(traced), rounds(baseline));
    add('async web, tracing on (all sampled, OTLP): req/s ≥ 0.45 × bare Koa', withSpread(ratio, 2, ' ×'), ratio.median >= 0.45, ratio);
  }
  const syncOutbox = byMode['sync-outbox'];
  if (sync !== undefined && syncOutbox !== undefined) {
    const ratio = syncOutbox.load.requestsPerSecond / sync.load.requestsPerSecond;
    add('sync web with the outbox (relay to JetStream): req/s ≥ 0.8 × sync without it', `${fixed(ratio, 2)} ×`, ratio >= 0.8);
  }
  if (outbox !== undefined) {
    add('outbox relay: ≥ 10,000 events/s for a 100,000-row backlog',
      `${fixed(outbox.eventsPerSecond)} events/s (${outbox.rows} rows)`, outbox.eventsPerSecond >= 10_000 && outbox.rows >= 100_000);
  }
  if (sync !== undefined && asyncMode !== undefined) {
    const ratio = ratioSpread(rounds(asyncMode), rounds(sync));
    add('async web req/s ≥ 1.3 × sync web (PostgreSQL up)', withSpread(ratio, 2, ' ×'), ratio.median >= 1.3, ratio);
  }
  if (down !== undefined && asyncMode !== undefined) {
    const ratio = ratioSpread(rounds(down), rounds(asyncMode));
    add('async, database unreachable: req/s ≥ 0.9 × async', withSpread(ratio, 2, ' ×'), ratio.median >= 0.9, ratio);
    const failures = down.load.total - down.load.ok + down.load.errors;
    add('async, database unreachable: zero errors', `${failures} non-2xx or failed`, failures === 0);
  }
  if (syncDown !== undefined) {
    const { load, firstAfterCut } = syncDown;
    const all503 = (load.statusCodes['503'] ?? 0) === load.total && load.errors === 0;
    const within = load.p99Ms <= 1000 && (firstAfterCut === undefined || (firstAfterCut.status === 503 && firstAfterCut.ms <= 1000));
    add('sync, database unreachable: 503 within 1 s',
      `${all503 ? 'all 503' : 'not all 503'}; first after cut ${fixed(firstAfterCut?.ms)} ms; p99 ${load.p99Ms} ms, max ${load.maxMs} ms`,
      all503 && within);
  }
  if (drain !== undefined) {
    const handlerRounds = drain.rounds?.handler ?? [drain.handler];
    const rate = spread(handlerRounds.map((result) => result.eventsPerSecond));
    add('handler drain ≥ 25,000 events/s', withSpread(rate, 0, ' events/s'), rate.median >= 25_000, rate);
    const naive = ratioSpread(rate.values, (drain.rounds?.naive ?? [drain.naive]).map((result) => result.eventsPerSecond));
    add('handler drain ≥ 10 × naive baseline', withSpread(naive, 1, ' ×'), naive.median >= 10, naive);
    const ceilings = drain.rounds?.ceiling ?? (drain.ceiling === undefined ? [] : [drain.ceiling]);
    if (ceilings.length === handlerRounds.length) {
      const ratio = ratioSpread(rate.values, ceilings.map((result) => result.rowsPerSecond));
      add('save drain ≥ 0.7 × the repository insert ceiling (saveMany, batch 1000)',
        `${withSpread(ratio, 2, ' ×')} (ceiling ${fixed(drain.ceiling.rowsPerSecond)} rows/s in its median round)`, ratio.median >= 0.7, ratio);
    }
  }
  if (endToEnd !== undefined) {
    const accepted = endToEnd.load.okPerSecond / endToEnd.offeredPerSecond;
    add(`end to end: the web accepts the offered ${endToEnd.offeredPerSecond}/s (≥ 95 %)`,
      `${fixed(endToEnd.load.okPerSecond)}/s = ${fixed(accepted * 100)} % (web p99 ${endToEnd.load.p99Ms} ms)`, accepted >= 0.95);
    add(`end to end: publish-to-commit p99 ≤ 250 ms at ${endToEnd.offeredPerSecond}/s`,
      `${fixed(endToEnd.commitP99Ms)} ms (accepted ${fixed(endToEnd.load.okPerSecond)}/s)`,
      endToEnd.commitP99Ms <= 250 && endToEnd.load.ok > 0);
    add('end to end: lag back to zero within 1 s after the load stops',
      `${fixed(endToEnd.caughtUpMs)} ms (lag at end ${endToEnd.lagAtEnd ?? 'n/a'})`, endToEnd.caughtUpMs <= 1000);
  }
  // A process's peak over the rounds it ran in: the median round's, with the spread beside it.
  const peakOf = (results) => spread(results.map((result) => result.peakRssMb ?? Infinity));
  const peaks = [
    ...(web ?? []).filter((result) => result.mode !== 'baseline' && !result.whatIf).map((result) => [`web (${result.label})`, spread([result.peakRssMb ?? Infinity])]),
    ...(drain === undefined ? [] : [['handler (drain)', peakOf(drain.rounds?.handler ?? [drain.handler])]]),
    ...(drain?.traced === undefined ? [] : [['handler (drain, tracing on)', peakOf(drain.rounds?.traced ?? [drain.traced])]]),
    ...(endToEnd === undefined ? [] : [['web (end to end)', spread([endToEnd.webPeakRssMb ?? Infinity])], ['handler (end to end)', spread([endToEnd.handlerPeakRssMb ?? Infinity])]]),
  ];
  if (peaks.length > 0) {
    const worst = peaks.reduce((a, b) => (b[1].median > a[1].median ? b : a));
    const met = peaks.every(([, peak]) => peak.median <= RSS_LIMIT_MB);
    add(`peak RSS ≤ ${RSS_LIMIT_MB} MB per process`, `highest ${withSpread(worst[1], 0, ' MB')}: ${worst[0]}`, met, worst[1]);
  }
  if (drain?.traced !== undefined) {
    const peak = peakOf(drain.rounds?.traced ?? [drain.traced]);
    add(`traced handler (tracing on, defaults) peaks ≤ ${RSS_LIMIT_MB} MB during the drain`, withSpread(peak, 0, ' MB'), peak.median <= RSS_LIMIT_MB, peak);
  }
  const postgres = (analyticsQuery ?? []).find((store) => store.database === 'PostgreSQL');
  if (postgres !== undefined) {
    const worst = postgres.queries.reduce((a, b) => (b.p95Ms > a.p95Ms ? b : a));
    add(`analytics queries on ${postgres.rows.toLocaleString('en-US')} prospects (PostgreSQL): every p95 ≤ 200 ms`,
      `worst p95 ${fixed(worst.p95Ms)} ms (${worst.query}, ${worst.filter})`, worst.p95Ms <= 200);
  }
  if (indexDrain !== undefined) {
    const ratio = ratioSpread((indexDrain.rounds?.index ?? [indexDrain.index]).map((result) => result.eventsPerSecond),
      (indexDrain.rounds?.save ?? [indexDrain.save]).map((result) => result.eventsPerSecond));
    add('index drain ≥ 0.8 × save handler drain (PostgreSQL)',
      `${withSpread(ratio, 2, ' ×')} (${fixed(indexDrain.index.eventsPerSecond)} events/s in its median round)`, ratio.median >= 0.8, ratio);
  }
  return targets;
}
