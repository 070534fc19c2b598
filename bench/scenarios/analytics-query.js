import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createKnex, migrateDatabase, SqlProspectIndex } from '@signup/adapters/sql';
import { DEFAULT_COUNTRIES, DEFAULT_ROLES } from '@signup/domain';
import { percentile } from '../lib/prospects-watcher.js';
import { withDatabase } from '../lib/services.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The sign-ups span this many days, ending at LAST_DAY. */
const DAYS = 365;
const LAST_DAY = Date.UTC(2026, 10, 30);
const COMPANIES = 5000;
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'John', 'Radia', 'Tim'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Backus', 'Perlman', 'Lee'];

/**
 * The filters each query is timed under: none, and each filter on its own. The date
 * range is the last 30 days; the country and role are among the less frequent; `q`
 * matches about one company in fifty.
 */
const FILTERS = [
  ['no filter', {}],
  ['from/to (30 days)', { from: new Date(LAST_DAY - 29 * DAY_MS).toISOString().slice(0, 10), to: new Date(LAST_DAY).toISOString().slice(0, 10) }],
  ['countryCode=PT', { countryCode: 'PT' }],
  ['roleCode=TR', { roleCode: 'TR' }],
  ['q=company 012', { q: 'company 012' }],
];

/** A deterministic spread of sign-ups over a year: every country, role and company about equally often. */
function document(n) {
  // A multiplicative hash of n, so neighbouring sign-ups differ in every field.
  const h = Math.imul(n + 1, 2654435761) >>> 0;
  const country = DEFAULT_COUNTRIES[h % DEFAULT_COUNTRIES.length];
  const role = DEFAULT_ROLES[(h >>> 4) % DEFAULT_ROLES.length];
  const first = FIRST_NAMES[(h >>> 8) % FIRST_NAMES.length];
  const last = LAST_NAMES[(h >>> 12) % LAST_NAMES.length];
  const company = n % 11 === 0 ? '' : `Company ${String((h >>> 3) % COMPANIES).padStart(4, '0')}`;
  return {
    eventId: randomUUID(),
    fullName: `${first} ${last}`,
    companyName: company,
    emailAddress: `${first.toLowerCase()}.${last.toLowerCase()}${n}@example.com`,
    countryCode: country.countryCode,
    countryName: country.countryName,
    roleCode: role.roleCode,
    roleName: role.roleName,
    signUpDate: new Date(LAST_DAY + DAY_MS - 1 - (h % (DAYS * 86_400)) * 1000),
  };
}

async function load(store, count, batchSize, log) {
  const startedAt = performance.now();
  for (let done = 0; done < count; done += batchSize) {
    const size = Math.min(batchSize, count - done);
    await store.indexMany(Array.from({ length: size }, (_, i) => document(done + i)));
    if ((done + size) % (batchSize * 20) === 0 || done + size === count) log(`    ${done + size} indexed`);
  }
  return performance.now() - startedAt;
}

/** Runs `call` while recording the statements it sends through `knex`. */
async function statementsOf(knex, call) {
  const statements = [];
  const record = (query) => statements.push({ sql: query.sql, bindings: query.bindings });
  knex.on('query', record);
  try {
    await call();
  } finally {
    knex.off('query', record);
  }
  return statements;
}

/** The scans and indexes of a PostgreSQL JSON plan, e.g. "Index Only Scan IX_ProspectIndex_SignUpDay". */
function postgresPlanSummary(plan) {
  const steps = [];
  const walk = (node) => {
    const type = node['Node Type'];
    if (/Scan|Aggregate|Sort|Limit|Gather/.test(type)) steps.push(node['Index Name'] === undefined ? type : `${type} ${node['Index Name']}`);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan[0].Plan);
  return steps.join(' > ');
}

async function explain(knex, dialect, statements) {
  const plans = [];
  for (const { sql, bindings } of statements) {
    if (dialect === 'postgres') {
      // knex reports PostgreSQL statements with $1, $2… in order; raw() takes ? placeholders.
      const result = await knex.raw(`explain (format json) ${sql.replace(/\$\d+/g, '?')}`, bindings);
      plans.push(postgresPlanSummary(result.rows[0]['QUERY PLAN']));
    } else {
      const rows = await knex.raw(`explain query plan ${sql}`, bindings);
      plans.push(rows.map((row) => row.detail).join('; '));
    }
  }
  return plans;
}

async function time(call, iterations) {
  for (let i = 0; i < 2; i += 1) await call();
  const samples = [];
  for (let i = 0; i < iterations; i += 1) {
    const startedAt = performance.now();
    await call();
    samples.push(performance.now() - startedAt);
  }
  return { p50Ms: percentile(samples, 0.5), p95Ms: percentile(samples, 0.95), maxMs: Math.max(...samples) };
}

/**
 * @typedef {object} AnalyticsQueryResult
 * @property {string} database
 * @property {number} rows
 * @property {number} loadMs
 * @property {{ filter: string, query: string, p50Ms: number, p95Ms: number, maxMs: number, plans: string[] }[]} queries
 */

async function measure({ database, connectionString, dialect, rows, batchSize, iterations, log }) {
  const knex = createKnex(connectionString, { statementTimeoutMs: 120_000, acquireTimeoutMs: 10_000, poolMax: 4 });
  try {
    await migrateDatabase(knex);
    const store = new SqlProspectIndex(knex);
    log(`  ${database}: indexing ${rows} prospects through SqlProspectIndex.indexMany, ${batchSize} per batch`);
    const loadMs = await load(store, rows, batchSize, log);
    log(`    in ${(loadMs / 1000).toFixed(1)} s`);
    if (dialect === 'postgres') await knex.raw('vacuum analyze');
    else await knex.raw('analyze');
    const queries = [];
    for (const [name, filter] of FILTERS) {
      const calls = {
        summary: () => store.summary(filter),
        'list page 1 (50)': () => store.list(filter, { page: 1, pageSize: 50 }),
      };
      for (const [query, call] of Object.entries(calls)) {
        const timing = await time(call, iterations);
        const plans = await explain(knex, dialect, await statementsOf(knex, call));
        queries.push({ filter: name, query, ...timing, plans });
        log(`    ${query}, ${name}: p95 ${timing.p95Ms.toFixed(0)} ms`);
      }
    }
    return { database, rows, loadMs, queries };
  } finally {
    await knex.destroy();
  }
}

/**
 * Section: the dashboard's queries on the SQL read model. Indexes `postgresRows`
 * sign-ups into a fresh PostgreSQL database and `sqliteRows` into a SQLite file
 * through `SqlProspectIndex.indexMany`, then times the summary and the first list
 * page under no filter and each filter (after two warm-up calls), and records the
 * plan of every statement they send (EXPLAIN).
 *
 * @param {{ postgresRows: number, sqliteRows: number, iterations: number, log: (line: string) => void }} settings
 * @returns {Promise<AnalyticsQueryResult[]>}
 */
export async function benchAnalyticsQuery({ postgresRows, sqliteRows, iterations, log }) {
  log(`analytics query: ${postgresRows} prospects on PostgreSQL, ${sqliteRows} on SQLite, ${iterations} timed calls per query`);
  const results = [];
  results.push(await withDatabase({ migrate: false }, (database) => measure({
    database: 'PostgreSQL', connectionString: database.url, dialect: 'postgres', rows: postgresRows, batchSize: 10_000, iterations, log,
  })));
  const folder = await mkdtemp(join(tmpdir(), 'signup-bench-'));
  try {
    results.push(await measure({
      database: 'SQLite', connectionString: `sqlite:${join(folder, 'analytics.db')}`, dialect: 'sqlite', rows: sqliteRows, batchSize: 3000, iterations, log,
    }));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  return results;
}
