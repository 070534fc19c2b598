import { fixed } from './report.js';

const RSS_LIMIT_MB = 200;

/**
 * @typedef {object} Target
 * @property {string} name
 * @property {string} measured
 * @property {boolean} met
 */

/**
 * Checks the run against the targets of the benchmark issue. Every target is a
 * ratio or a bound measured in this same run.
 *
 * @param {object} results what `run.js` collected
 * @returns {Target[]}
 */
export function checkTargets({ web, drain, endToEnd, analyticsQuery, indexDrain, outbox }) {
  /** @type {Target[]} */
  const targets = [];
  const add = (name, measured, met) => targets.push({ name, measured, met });
  const byMode = Object.fromEntries((web ?? []).map((result) => [result.mode, result]));
  const { baseline, sync, async: asyncMode } = byMode;
  const down = byMode['async-db-down'];
  const syncDown = byMode['sync-db-down'];

  if (baseline !== undefined && asyncMode !== undefined) {
    const ratio = asyncMode.load.requestsPerSecond / baseline.load.requestsPerSecond;
    add('async web, tracing off: req/s ≥ 0.65 × bare Koa', `${fixed(ratio, 2)} ×`, ratio >= 0.65);
    const p99 = asyncMode.load.p99Ms / baseline.load.p99Ms;
    add('async web p99 ≤ 3 × bare Koa p99', `${fixed(p99, 2)} × (${asyncMode.load.p99Ms} vs ${baseline.load.p99Ms} ms)`, p99 <= 3);
  }
  const traced = byMode['async-traced'];
  if (baseline !== undefined && traced !== undefined) {
    const ratio = traced.load.requestsPerSecond / baseline.load.requestsPerSecond;
    add('async web, tracing on (all sampled, OTLP): req/s ≥ 0.45 × bare Koa', `${fixed(ratio, 2)} ×`, ratio >= 0.45);
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
    const ratio = asyncMode.load.requestsPerSecond / sync.load.requestsPerSecond;
    add('async web req/s ≥ 1.3 × sync web (PostgreSQL up)', `${fixed(ratio, 2)} ×`, ratio >= 1.3);
  }
  if (down !== undefined && asyncMode !== undefined) {
    const ratio = down.load.requestsPerSecond / asyncMode.load.requestsPerSecond;
    add('async, database unreachable: req/s ≥ 0.9 × async', `${fixed(ratio, 2)} ×`, ratio >= 0.9);
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
    add('handler drain ≥ 25,000 events/s', `${fixed(drain.handler.eventsPerSecond)} events/s`, drain.handler.eventsPerSecond >= 25_000);
    const ratio = drain.handler.eventsPerSecond / drain.naive.eventsPerSecond;
    add('handler drain ≥ 10 × naive baseline', `${fixed(ratio, 1)} ×`, ratio >= 10);
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
  const peaks = [
    ...(web ?? []).filter((result) => result.mode !== 'baseline' && !result.whatIf).map((result) => [`web (${result.label})`, result.peakRssMb]),
    ...(drain === undefined ? [] : [['handler (drain)', drain.handler.peakRssMb]]),
    ...(drain?.traced === undefined ? [] : [['handler (drain, tracing on)', drain.traced.peakRssMb]]),
    ...(endToEnd === undefined ? [] : [['web (end to end)', endToEnd.webPeakRssMb], ['handler (end to end)', endToEnd.handlerPeakRssMb]]),
  ];
  if (peaks.length > 0) {
    const worst = peaks.reduce((a, b) => ((b[1] ?? Infinity) > (a[1] ?? Infinity) ? b : a));
    const met = peaks.every(([, peak]) => peak !== undefined && peak <= RSS_LIMIT_MB);
    add(`peak RSS ≤ ${RSS_LIMIT_MB} MB per process`, `highest ${fixed(worst[1])} MB: ${worst[0]}`, met);
  }
  const postgres = (analyticsQuery ?? []).find((store) => store.database === 'PostgreSQL');
  if (postgres !== undefined) {
    const worst = postgres.queries.reduce((a, b) => (b.p95Ms > a.p95Ms ? b : a));
    add(`analytics queries on ${postgres.rows.toLocaleString('en-US')} prospects (PostgreSQL): every p95 ≤ 200 ms`,
      `worst p95 ${fixed(worst.p95Ms)} ms (${worst.query}, ${worst.filter})`, worst.p95Ms <= 200);
  }
  if (indexDrain !== undefined) {
    const ratio = indexDrain.index.eventsPerSecond / indexDrain.save.eventsPerSecond;
    add('index drain ≥ 0.8 × save handler drain (PostgreSQL)', `${fixed(ratio, 2)} × (${fixed(indexDrain.index.eventsPerSecond)} events/s)`, ratio >= 0.8);
  }
  return targets;
}
