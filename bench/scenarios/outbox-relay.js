import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createNatsMessaging, SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { createKnex, migrateDatabase, SqlProspectOutboxRelay, SqlProspectRepository } from '@signup/adapters/sql';
import { connectNats } from '../lib/jetstream.js';
import { withServices } from '../lib/services.js';

const FILL_BATCH = 1000;

/** A silent logger: the relay logs only when it fails, which the figures would then show. */
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function event(index) {
  return {
    correlationId: randomUUID(),
    signedUpAt: new Date(),
    prospect: {
      firstName: 'Outbox',
      lastName: `Prospect${index}`,
      companyName: 'Load Test Ltd',
      emailAddress: `outbox${index}@example.com`,
      country: { countryCode: 'GBR', countryName: 'United Kingdom' },
      role: { roleCode: 'EN', roleName: 'Engineer' },
    },
  };
}

/**
 * @typedef {object} OutboxRelayResult
 * @property {number} rows the backlog, written by the synchronous save's repository with the outbox on
 * @property {number} batchSize rows the relay claims per round
 * @property {number} seconds from the first round to the empty outbox
 * @property {number} eventsPerSecond rows published (PubAck) and deleted per second
 * @property {number} streamMessages messages in SIGNUP_EVENTS afterwards (each row once)
 */

/**
 * Section "outbox": the relay's publish rate. Writes a backlog of `rows` sign-ups through
 * `SqlProspectRepository` with the outbox on (the web's synchronous save, in batches), as
 * an outage of NATS would leave it, then lets one `SqlProspectOutboxRelay` publish it to
 * JetStream through the web's publisher (`Nats-Msg-Id`, awaiting every PubAck) and delete
 * it, round after round, on PostgreSQL.
 *
 * @param {{ rows: number, batchSize?: number, log: (line: string) => void }} settings
 * @returns {Promise<OutboxRelayResult>}
 */
export async function benchOutboxRelay({ rows, batchSize = 1000, log }) {
  return withServices(async ({ nats, database }) => {
    const knex = createKnex(database.url);
    const nc = await connectNats(nats.url);
    try {
      await migrateDatabase(knex);
      const repository = new SqlProspectRepository(knex, { encoding: 'utf-8' });
      log(`outbox relay: writing a backlog of ${rows} rows`);
      for (let first = 0; first < rows; first += FILL_BATCH) {
        await repository.saveMany(Array.from({ length: Math.min(FILL_BATCH, rows - first) }, (_, i) => event(first + i)));
      }
      const messaging = await createNatsMessaging(nc, { mode: 'jetstream' }, quiet);
      const relay = new SqlProspectOutboxRelay(knex, messaging.publisher, { batchSize, logger: quiet });
      const started = performance.now();
      let published = 0;
      for (;;) {
        const round = await relay.relayOnce();
        if (round.failure !== undefined) throw new Error(`The relay failed a round: ${round.failure}`);
        published += round.published;
        if (round.claimed === 0) break;
      }
      const seconds = (performance.now() - started) / 1000;
      const jsm = await nc.jetstreamManager();
      const streamMessages = (await jsm.streams.info(SIGNUP_EVENTS_STREAM)).state.messages;
      const left = (await relay.backlog()).rows;
      if (published !== rows || left !== 0) throw new Error(`The relay published ${published} of ${rows} rows and left ${left}`);
      const eventsPerSecond = rows / seconds;
      log(`  ${eventsPerSecond.toFixed(0)} events/s (${rows} rows in ${seconds.toFixed(2)} s, rounds of ${batchSize}), ${streamMessages} messages in the stream`);
      return { rows, batchSize, seconds, eventsPerSecond, streamMessages };
    } finally {
      await nc.drain().catch(() => undefined);
      await knex.destroy();
    }
  });
}
