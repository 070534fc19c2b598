import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import pg from 'pg';

/**
 * Watches the `Prospects` table of one database from outside the hosts. Every
 * `intervalMs` it reads the rows with a `ProspectId` above the last one seen
 * and records, for each, the time it first became visible minus its
 * `SignedUpAt` (set by the web when it accepted the sign-up): the
 * publish-to-commit latency, with the poll interval as its resolution. One save
 * handler stores one batch at a time, so ids become visible in order.
 */
export class ProspectsWatcher {
  /**
   * @param {string} url PostgreSQL URL of the database
   * @param {{ intervalMs?: number }} [options]
   */
  constructor(url, { intervalMs = 20 } = {}) {
    this.client = new pg.Client({ connectionString: url });
    this.intervalMs = intervalMs;
    this.lastId = 0;
    this.seen = 0;
    /** When (performance.now()) the last new row was seen. */
    this.lastNewRowAt = 0;
    /** @type {number[]} */
    this.latenciesMs = [];
    this.polling = undefined;
    this.running = false;
  }

  /** Starts watching; rows stored before now are not counted. */
  async start() {
    await this.client.connect();
    const { rows } = await this.client.query('select coalesce(max("ProspectId"), 0) as "last" from "Prospects"');
    this.lastId = Number(rows[0].last);
    this.running = true;
    this.polling = this.poll();
  }

  async poll() {
    while (this.running) {
      const started = Date.now();
      const { rows } = await this.client.query(
        'select "ProspectId", "SignedUpAt" from "Prospects" where "ProspectId" > $1 order by "ProspectId"',
        [this.lastId],
      );
      const seenAt = Date.now();
      if (rows.length > 0) this.lastNewRowAt = performance.now();
      for (const row of rows) {
        this.latenciesMs.push(seenAt - new Date(row.SignedUpAt).getTime());
        this.lastId = Number(row.ProspectId);
      }
      this.seen += rows.length;
      const rest = this.intervalMs - (Date.now() - started);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }

  async stop() {
    this.running = false;
    await this.polling;
    await this.client.end();
  }
}

/**
 * Counts rows of `Prospects` (or `table`, such as the analytics read model's `ProspectIndex`) until there are `count`; resolves with the time
 * (performance.now()) of the poll that saw them. `count(*)` scans the table, so on a
 * table filling up fast the poll itself would take a share of PostgreSQL's CPU from the
 * work being measured: the pause between polls follows the rate rows arrive at, at
 * most `intervalMs` (and at least 5 ms) and half the time the rest is expected to take,
 * so polls are rare in the middle of a drain and close together at its end.
 *
 * @param {string} url
 * @param {number} count
 * @param {{ intervalMs?: number, timeoutMs?: number, table?: 'Prospects' | 'ProspectIndex' }} [options]
 */
export async function waitForProspectCount(url, count, { intervalMs = 100, timeoutMs = 120_000, table = 'Prospects' } = {}) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const deadline = performance.now() + timeoutMs;
  let previous;
  try {
    for (;;) {
      const { rows } = await client.query(`select count(*)::int as n from "${table}"`);
      const now = performance.now();
      const seen = rows[0].n;
      if (seen >= count) return now;
      if (now > deadline) throw new Error(`Only ${seen} of ${count} rows in ${table} after ${timeoutMs} ms`);
      let pauseMs = Math.min(intervalMs, 25);
      if (previous !== undefined && seen > previous.seen) {
        const perMs = (seen - previous.seen) / (now - previous.at);
        pauseMs = Math.min(intervalMs, Math.max(5, (count - seen) / perMs / 2));
      }
      previous = { seen, at: now };
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  } finally {
    await client.end();
  }
}

/**
 * The value below which `fraction` of the values fall (nearest rank).
 *
 * @param {number[]} values
 * @param {number} fraction e.g. 0.99
 */
export function percentile(values, fraction) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}
