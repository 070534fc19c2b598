import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { createKnex, SqlProspectRepository } from '@signup/adapters/sql';
import { withDatabase } from '../lib/services.js';

/** CPU seconds a process of this machine has used so far (user + system); NaN when it cannot be read. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

function events(count) {
  return Array.from({ length: count }, (_, index) => ({
    correlationId: randomUUID(),
    signedUpAt: new Date(),
    prospect: {
      firstName: 'Insert',
      lastName: `Prospect${index}`,
      companyName: 'Load Test Ltd',
      emailAddress: `insert${index}@example.com`,
      country: { countryCode: 'GBR', countryName: 'United Kingdom' },
      role: { roleCode: 'EN', roleName: 'Engineer' },
    },
  }));
}

// The strategy SqlProspectRepository used before its PostgreSQL statement took arrays:
// a multi-row VALUES insert (eight parameters per row) and a select of the batch's ids,
// in one transaction. Measured beside saveMany to show what the change is worth.
function valuesInsert(knex, batch) {
  return knex.transaction(async (trx) => {
    const rows = batch.map((e) => ({
      FirstName: e.prospect.firstName, LastName: e.prospect.lastName, CompanyName: e.prospect.companyName ?? '',
      EmailAddress: e.prospect.emailAddress, CountryCode: e.prospect.country.countryCode, RoleCode: e.prospect.role.roleCode,
      SignedUpAt: e.signedUpAt, EventId: e.correlationId.toLowerCase(),
    }));
    await trx('Prospects').insert(rows).onConflict('EventId').ignore().returning('EventId');
    return trx('Prospects').select('ProspectId', 'EventId').whereIn('EventId', rows.map((row) => row.EventId));
  });
}

/**
 * @typedef {object} InsertResult
 * @property {string} strategy
 * @property {number} batchSize
 * @property {number} rows
 * @property {number} rowsPerSecond
 * @property {number} postgresMicrosPerRow CPU of the PostgreSQL backend per row
 * @property {number} nodeMicrosPerRow CPU of this process (knex, pg) per row
 */

/**
 * Section 2b: the database side of the drain on its own. Stores `rows` prospects
 * in batches through `SqlProspectRepository.saveMany` (one `insert ... select from
 * unnest(arrays) returning` per batch) and, as a comparison, through a multi-row
 * VALUES insert and a select in one transaction, on one connection, and measures
 * the CPU each costs in PostgreSQL and in Node per row.
 *
 * @param {{ rows: number, batchSizes: number[], whatIf: boolean, log: (line: string) => void }} settings
 * @returns {Promise<InsertResult[]>}
 */
export async function benchRepositoryInsert({ rows, batchSizes, whatIf, log }) {
  const results = [];
  const strategies = {
    [SAVE_MANY]: saveManyStore,
    ...(whatIf ? { 'what-if: multi-row VALUES insert + select, one transaction': (knex) => (batch) => valuesInsert(knex, batch) } : {}),
  };
  for (const batchSize of batchSizes) {
    for (const [strategy, make] of Object.entries(strategies)) {
      const result = await measureInsert({ strategy, make, batchSize, rows });
      results.push(result);
      log(`  ${strategy}, batch ${batchSize}: ${result.rowsPerSecond.toFixed(0)} rows/s, PostgreSQL ${result.postgresMicrosPerRow.toFixed(0)} µs/row, Node ${result.nodeMicrosPerRow.toFixed(0)} µs/row`);
    }
  }
  return results;
}

/**
 * The repository's batch-insert ceiling: `rows` prospects stored through
 * `SqlProspectRepository.saveMany` in batches of `batchSize` on one connection of a
 * fresh database, nothing else in the way (no NATS, no decoding, no logs). The save
 * drain is compared with it in the same run.
 *
 * @param {{ rows: number, batchSize: number }} settings
 * @returns {Promise<InsertResult>}
 */
export function measureInsertCeiling({ rows, batchSize }) {
  return measureInsert({ strategy: SAVE_MANY, make: saveManyStore, batchSize, rows });
}

const SAVE_MANY = 'SqlProspectRepository.saveMany';

function saveManyStore(knex) {
  const repository = new SqlProspectRepository(knex);
  return (batch) => repository.saveMany(batch);
}

/** @returns {Promise<InsertResult>} */
function measureInsert({ strategy, make, batchSize, rows }) {
  return withDatabase({ migrate: true }, async (database) => {
    const knex = createKnex(database.url, { poolMax: 1 });
    try {
      const { rows: [backend] } = await knex.raw('select pg_backend_pid() as pid');
      const store = make(knex);
      const all = events(rows);
      const postgresBefore = cpuSeconds(backend.pid);
      const nodeBefore = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < all.length; i += batchSize) await store(all.slice(i, i + batchSize));
      const elapsedMs = performance.now() - started;
      const node = process.cpuUsage(nodeBefore);
      return {
        strategy,
        batchSize,
        rows,
        rowsPerSecond: rows / (elapsedMs / 1000),
        postgresMicrosPerRow: ((cpuSeconds(backend.pid) - postgresBefore) * 1e6) / rows,
        nodeMicrosPerRow: (node.user + node.system) / rows,
      };
    } finally {
      await knex.destroy();
    }
  });
}
