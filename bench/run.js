import { mkdirSync, writeFileSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { parseArgs } from 'node:util';
import { renderChart } from './lib/chart.js';
import { renderReport } from './lib/report.js';
import { describeMachine } from './lib/services.js';
import { loadAverage } from './lib/spread.js';
import { checkTargets } from './lib/targets.js';
import { benchAnalyticsQuery } from './scenarios/analytics-query.js';
import { benchClusterWeb, benchHandlerScale } from './scenarios/cluster.js';
import { benchEndToEnd } from './scenarios/end-to-end.js';
import { benchHandlerDrain } from './scenarios/handler-drain.js';
import { benchIndexDrain } from './scenarios/index-drain.js';
import { benchOutboxRelay } from './scenarios/outbox-relay.js';
import { benchRepositoryInsert } from './scenarios/repository-insert.js';
import { benchWebTier } from './scenarios/web-tier.js';

const USAGE = `Usage: npm run bench [-- options]

Runs the SignUp benchmarks (each with its own nats-server and throwaway
PostgreSQL database on DATABASE_URL, default postgres://root@127.0.0.1:5432/test),
prints the figures and the targets, writes bench/results/latest.json and, for a
full run, the chart docs/benchmarks.svg.

Options:
  --only <list>   sections to run, comma-separated: web, drain, insert, e2e,
                  analytics-query, index-drain (signup-handler index against save
                  on the same stream), cluster (async web on a three-node R3
                  cluster against one server), scale (handler drain with 1, 2 and
                  3 instances) (default all of these)
  --no-what-if    skip the what-if variants that locate costs (web app without a
                  queue, warn-level logs, the former insert)
  --quick         short runs to check that everything works (figures not comparable)
  --rounds <n>    alternating rounds of every section that prints a ratio (web, drain,
                  index-drain, cluster): each ratio is the median of the n rounds' ratios,
                  printed with its minimum and maximum (default 3)
  --cpu-prof      start every process under test with --cpu-prof; profiles go to
                  bench/results/profiles/ (summarise one with node bench/profile-summary.js)
  --help          this text`;

const SECTIONS = ['web', 'drain', 'insert', 'e2e', 'analytics-query', 'index-drain', 'cluster', 'scale', 'outbox'];
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const PROFILES_DIR = fileURLToPath(new URL('./results/profiles/', import.meta.url));
const JSON_PATH = fileURLToPath(new URL('./results/latest.json', import.meta.url));
const CHART_PATH = fileURLToPath(new URL('../docs/benchmarks.svg', import.meta.url));

function settingsFor(quick) {
  return quick
    ? { rounds: 1, connections: 50, durationS: 3, downDurationS: 2, warmupS: 1, drainEvents: 5000, scaleEvents: 5000, naiveEvents: 1000, insertRows: 2000, e2eRate: 2000, e2eDurationS: 5, e2eConnections: 200, pollIntervalMs: 20, analyticsPostgresRows: 20_000, analyticsSqliteRows: 5000, analyticsIterations: 5, outboxRows: 10_000 }
    : { rounds: 3, connections: 50, durationS: 10, downDurationS: 5, warmupS: 2, drainEvents: 50_000, scaleEvents: 50_000, naiveEvents: 10_000, insertRows: 20_000, e2eRate: 2000, e2eDurationS: 30, e2eConnections: 200, pollIntervalMs: 20, analyticsPostgresRows: 1_000_000, analyticsSqliteRows: 100_000, analyticsIterations: 20, outboxRows: 100_000 };
}

async function main() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'no-what-if': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sections = values.only === undefined ? SECTIONS : values.only.split(',').map((name) => name.trim());
  const unknown = sections.filter((name) => !SECTIONS.includes(name));
  if (unknown.length > 0) throw new Error(`Unknown section ${unknown.join(', ')}; use one of ${SECTIONS.join(', ')}`);

  const settings = { ...settingsFor(values.quick), whatIf: !values['no-what-if'] };
  if (values.rounds !== undefined) {
    settings.rounds = Number(values.rounds);
    if (!Number.isInteger(settings.rounds) || settings.rounds < 1) throw new Error(`--rounds must be a whole number of at least 1, not ${values.rounds}`);
  }
  const log = (line) => process.stderr.write(`${line}\n`);
  if (values['cpu-prof']) mkdirSync(PROFILES_DIR, { recursive: true });
  const nodeArgsFor = (name) => (values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${PROFILES_DIR}`, `--cpu-prof-name=${name}.cpuprofile`] : []);

  const results = {
    startedAt: new Date().toISOString(),
    finishedAt: undefined,
    machine: await describeMachine(),
    loadAverageAtStart: loadAverage(),
    settings: { ...settings, quick: values.quick, sections, cpuProfile: values['cpu-prof'] },
    web: undefined,
    drain: undefined,
    insert: undefined,
    endToEnd: undefined,
    endToEndWhatIf: undefined,
    analyticsQuery: undefined,
    indexDrain: undefined,
    cluster: undefined,
    scale: undefined,
    outbox: undefined,
    targets: [],
  };
  log(`SignUp benchmarks on ${results.machine.cpus} cores (${results.machine.cpuModel}), Node ${results.machine.node}, ${results.machine.natsServer}, ${results.machine.postgres}; `
    + `load average at start ${results.loadAverageAtStart?.join(' ') ?? 'n/a'}`);

  if (sections.includes('web')) {
    results.web = await benchWebTier({ ...settings, nodeArgsFor, log });
  }
  if (sections.includes('drain')) {
    results.drain = await benchHandlerDrain({
      events: settings.drainEvents, naiveEvents: settings.naiveEvents, rounds: settings.rounds, whatIf: settings.whatIf, nodeArgsFor, log,
    });
  }
  if (sections.includes('insert')) {
    log(`repository insert: ${settings.insertRows} rows per strategy and batch size`);
    results.insert = await benchRepositoryInsert({ rows: settings.insertRows, batchSizes: [100, 1000], whatIf: settings.whatIf, log });
  }
  if (sections.includes('e2e')) {
    const endToEnd = await benchEndToEnd({
      ratePerSecond: settings.e2eRate,
      durationS: settings.e2eDurationS,
      warmupS: settings.warmupS,
      connections: settings.e2eConnections,
      pollIntervalMs: settings.pollIntervalMs,
      whatIf: settings.whatIf,
      nodeArgsFor,
      log,
    });
    results.endToEnd = endToEnd.product;
    results.endToEndWhatIf = endToEnd.whatIf;
  }
  if (sections.includes('analytics-query')) {
    results.analyticsQuery = await benchAnalyticsQuery({
      postgresRows: settings.analyticsPostgresRows, sqliteRows: settings.analyticsSqliteRows, iterations: settings.analyticsIterations, log,
    });
  }
  if (sections.includes('index-drain')) {
    results.indexDrain = await benchIndexDrain({ events: settings.drainEvents, rounds: settings.rounds, nodeArgsFor, log });
  }
  if (sections.includes('cluster')) {
    results.cluster = await benchClusterWeb({ ...settings, nodeArgsFor, log });
  }
  if (sections.includes('scale')) {
    results.scale = await benchHandlerScale({ events: settings.scaleEvents, nodeArgsFor, log });
  }
  if (sections.includes('outbox')) {
    results.outbox = await benchOutboxRelay({ rows: settings.outboxRows, log });
  }
  results.finishedAt = new Date().toISOString();
  results.targets = checkTargets(results);

  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(JSON_PATH, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${renderReport(results)}\n\nWrote ${JSON_PATH}\n`);
  if (SECTIONS.every((name) => sections.includes(name)) && !values.quick) {
    writeFileSync(CHART_PATH, renderChart(results));
    process.stdout.write(`Wrote ${CHART_PATH}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
