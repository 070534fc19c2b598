import { QueueUnavailableError, type IEventPublisher, type ProspectSignedUpEvent } from '@signup/domain';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { after, before, beforeEach, describe, it } from 'mocha';
import { encodeProspectSignedUpEvent } from '../../../src/nats/prospect-signed-up-codec.js';
import { PROSPECT_OUTBOX_TABLE, SqlProspectOutboxRelay, SqlProspectRepository } from '../../../src/sql/index.js';
import { sqlDialectOf } from '../../../src/sql/sql-dialect.js';
import { openMigrated, rowCounter, SQL_BACKENDS, type ScratchDatabase } from './sql-test-databases.js';

/** Records what it is asked to publish; fails while `down`, and takes `delayMs` per publish. */
class RecordingPublisher implements IEventPublisher {
  readonly published: ProspectSignedUpEvent[] = [];
  down = false;
  delayMs = 0;

  async publish(event: ProspectSignedUpEvent): Promise<void> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.down) throw new QueueUnavailableError('The message queue is not connected.');
    this.published.push(event);
  }
}

async function outboxRows(knex: Knex): Promise<{ EventId: string; Payload: Uint8Array }[]> {
  return knex(PROSPECT_OUTBOX_TABLE).select('EventId', 'Payload').orderBy('OutboxId');
}

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const backend of SQL_BACKENDS) {
  describe(`The transactional outbox on ${backend.name}`, function () {
    let database: ScratchDatabase | undefined;
    let knex: Knex;

    before(async function () {
      await backend.require?.(this);
      database = await backend.create();
      knex = await openMigrated(database);
    });

    beforeEach(async function () {
      await knex(PROSPECT_OUTBOX_TABLE).delete();
    });

    after(async function () {
      await database?.dispose();
    });

    describe('SqlProspectRepository with an outbox', function () {
      it('writes one outbox row holding the encoded event beside each new Prospects row, and tells the relay', async function () {
        let told = 0;
        const repository = new SqlProspectRepository(knex, { encoding: 'utf-16le', onWritten: () => { told += 1; } });
        const event = newProspectSignedUpEvent();
        const saved = await repository.save(event);
        expect(saved.created).to.equal(true);
        const rows = await outboxRows(knex);
        expect(rows.map((row) => row.EventId)).to.deep.equal([event.correlationId.toLowerCase()]);
        expect(Buffer.compare(Buffer.from(rows[0]!.Payload), Buffer.from(encodeProspectSignedUpEvent(event, 'utf-16le')))).to.equal(0);
        expect(told).to.equal(1);
      });

      it('writes no outbox row for an event already stored', async function () {
        const repository = new SqlProspectRepository(knex, { encoding: 'utf-8' });
        const event = newProspectSignedUpEvent();
        await new SqlProspectRepository(knex).save(event);
        const again = await repository.save(event);
        expect(again.created).to.equal(false);
        expect(await outboxRows(knex)).to.deep.equal([]);
      });

      it('writes an outbox row per created event of a batch, once for an event repeated in it', async function () {
        const repository = new SqlProspectRepository(knex, { encoding: 'utf-8' });
        const stored = newProspectSignedUpEvent();
        await repository.save(stored);
        await knex(PROSPECT_OUTBOX_TABLE).delete();
        const fresh = Array.from({ length: 20 }, () => newProspectSignedUpEvent());
        await repository.saveMany([...fresh, stored, fresh[0]!]);
        const rows = await outboxRows(knex);
        expect(rows.map((row) => row.EventId).sort()).to.deep.equal(fresh.map((event) => event.correlationId.toLowerCase()).sort());
      });

      it('stores neither row when the Prospects row is refused', async function () {
        const repository = new SqlProspectRepository(knex, { encoding: 'utf-8' });
        const event = newProspectSignedUpEvent({ countryCode: 'XXX' });
        const error = await repository.save(event).then(() => undefined, (caught: unknown) => caught);
        expect(error).to.have.property('code', 'UNKNOWN_REFERENCE_CODE');
        expect(await rowCounter(knex)(event.correlationId)).to.equal(0);
        expect(await outboxRows(knex)).to.deep.equal([]);
      });
    });

    describe('SqlProspectOutboxRelay', function () {
      it('publishes every row, oldest first within a round, and deletes what was confirmed', async function () {
        const repository = new SqlProspectRepository(knex, { encoding: 'utf-8' });
        const events = Array.from({ length: 25 }, () => newProspectSignedUpEvent());
        for (const event of events) await repository.save(event);
        const publisher = new RecordingPublisher();
        const relay = new SqlProspectOutboxRelay(knex, publisher, { batchSize: 10 });
        const rounds = [await relay.relayOnce(), await relay.relayOnce(), await relay.relayOnce(), await relay.relayOnce()];
        expect(rounds.map((round) => round.published)).to.deep.equal([10, 10, 5, 0]);
        expect(publisher.published.map((event) => event.correlationId)).to.deep.equal(events.map((event) => event.correlationId));
        expect(await relay.backlog()).to.deep.equal({ rows: 0 });
      });

      it('keeps the rows while the bus does not confirm, reports the backlog, and publishes them when it is back', async function () {
        const repository = new SqlProspectRepository(knex, { encoding: 'utf-8' });
        const events = [newProspectSignedUpEvent(), newProspectSignedUpEvent()];
        for (const event of events) await repository.save(event);
        const publisher = new RecordingPublisher();
        publisher.down = true;
        const failures: string[] = [];
        const relay = new SqlProspectOutboxRelay(knex, publisher, { observer: { published: () => undefined, failed: (cause) => failures.push(cause) } });
        expect(await relay.relayOnce()).to.deep.equal({ claimed: 2, published: 0, failure: 'queue' });
        expect(failures).to.deep.equal(['queue', 'queue']);
        const backlog = await relay.backlog();
        expect(backlog.rows).to.equal(2);
        expect(backlog.oldestCreatedAt).to.be.instanceOf(Date);
        expect(Math.abs(Date.now() - backlog.oldestCreatedAt!.getTime())).to.be.below(60_000);
        publisher.down = false;
        expect(await relay.relayOnce()).to.deep.equal({ claimed: 2, published: 2 });
        expect(await relay.backlog()).to.deep.equal({ rows: 0 });
      });

      it('wakes at once after a local insert rather than at its next poll', async function () {
        const publisher = new RecordingPublisher();
        const relay = new SqlProspectOutboxRelay(knex, publisher, { pollIntervalMs: 60_000 });
        const repository = new SqlProspectRepository(knex, { encoding: 'utf-8', onWritten: () => relay.wake() });
        relay.start();
        try {
          await new Promise((resolve) => setTimeout(resolve, 100));
          const event = newProspectSignedUpEvent();
          await repository.save(event);
          await eventually(() => publisher.published.length === 1, 3000);
          expect(publisher.published[0]!.correlationId).to.equal(event.correlationId);
        } finally {
          await relay.stop();
        }
      });

      it('never hands one row to two relays sharing the database at the same time', async function () {
        if (sqlDialectOf(knex) === 'sqlite') this.skip();
        const repository = new SqlProspectRepository(knex, { encoding: 'utf-8' });
        const events = Array.from({ length: 300 }, () => newProspectSignedUpEvent());
        await repository.saveMany(events);
        const inFlight = new Set<string>();
        const overlaps: string[] = [];
        const publishers = [new RecordingPublisher(), new RecordingPublisher()];
        const relays = publishers.map((publisher) => new SqlProspectOutboxRelay(knex, {
          async publish(event) {
            if (inFlight.has(event.correlationId)) overlaps.push(event.correlationId);
            inFlight.add(event.correlationId);
            try {
              await new Promise((resolve) => setTimeout(resolve, 5));
              await publisher.publish(event);
            } finally {
              inFlight.delete(event.correlationId);
            }
          },
        }, { batchSize: 20 }));
        let rolledBack = 0;
        const drain = async (relay: SqlProspectOutboxRelay): Promise<void> => {
          for (;;) {
            try {
              if ((await relay.relayOnce()).claimed === 0) return;
            } catch (error) {
              // MariaDB may pick one relay's delete as a deadlock victim: its rows are published again later.
              if (sqlDialectOf(knex) !== 'mysql' || !/DEADLOCK/.test(String(error))) throw error;
              rolledBack += 1;
            }
          }
        };
        await Promise.all(relays.map(drain));
        const ids = publishers.flatMap((publisher) => publisher.published.map((event) => event.correlationId));
        expect(overlaps).to.deep.equal([]);
        expect(new Set(ids).size).to.equal(300);
        // Every row once, unless a deadlock rolled a delete back (MariaDB only).
        expect(ids).to.have.length(300 + (rolledBack > 0 ? ids.length - 300 : 0));
        if (sqlDialectOf(knex) === 'postgres') expect(rolledBack).to.equal(0);
        expect(publishers.every((publisher) => publisher.published.length > 0)).to.equal(true);
        expect(await relays[0]!.backlog()).to.deep.equal({ rows: 0 });
      });
    });
  });
}
