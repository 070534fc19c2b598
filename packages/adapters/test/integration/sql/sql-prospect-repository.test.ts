import { requirePostgres } from '@signup/test-support/postgres';
import { prospectRepositoryContract } from '@signup/test-support/prospect-repository-contract';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { after, before, describe, it, type Context } from 'mocha';
import { SqlProspectRepository } from '../../../src/sql/index.js';
import { maxRowsPerInsert } from '../../../src/sql/prospect-insert.js';
import { sqlDialectOf } from '../../../src/sql/sql-dialect.js';
import {
  createMySqlDatabase, createPostgresDatabase, createSqliteDatabase, openMigrated, requireMySql, rowCounter,
  type ScratchDatabase,
} from './sql-test-databases.js';

interface Backend {
  readonly name: string;
  readonly require?: (ctx: Context) => Promise<void>;
  readonly create: () => Promise<ScratchDatabase>;
  /** Whether two connections can write at once (not SQLite, whose one writer blocks the event loop while busy). */
  readonly concurrentWriters: boolean;
}

const backends: Backend[] = [
  { name: 'SQLite', create: createSqliteDatabase, concurrentWriters: false },
  { name: 'PostgreSQL', require: requirePostgres, create: createPostgresDatabase, concurrentWriters: true },
  { name: 'MariaDB', require: requireMySql, create: createMySqlDatabase, concurrentWriters: true },
];

for (const backend of backends) {
  describe(`SqlProspectRepository on ${backend.name}`, function () {
    before(async function () {
      await backend.require?.(this);
    });

    prospectRepositoryContract(`SqlProspectRepository (${backend.name})`, async () => {
      const database = await backend.create();
      const knex = await openMigrated(database);
      return { repository: new SqlProspectRepository(knex), countRows: rowCounter(knex), close: () => database.dispose() };
    });

    describe('saveMany', function () {
      let database: ScratchDatabase | undefined;
      let knex: Knex;
      let repository: SqlProspectRepository;

      before(async function () {
        database = await backend.create();
        knex = await openMigrated(database);
        repository = new SqlProspectRepository(knex);
      });

      after(async function () {
        await database?.dispose();
      });

      it('stores a 1,000-event batch once, and saving it again creates nothing and returns the same ids', async function () {
        const events = Array.from({ length: 1000 }, () => newProspectSignedUpEvent());
        const first = await repository.saveMany(events);
        expect(first).to.have.length(1000);
        expect(first.every((saved) => saved.created)).to.equal(true);
        expect(new Set(first.map((saved) => saved.prospectId)).size).to.equal(1000);

        const again = await repository.saveMany([...events].reverse());
        expect(again.every((saved) => !saved.created)).to.equal(true);
        expect(again.map((saved) => saved.prospectId)).to.deep.equal(first.map((saved) => saved.prospectId).reverse());
        const [row] = await knex('Prospects').whereIn('EventId', events.map((e) => e.correlationId)).count<{ n: number | string }[]>({ n: '*' });
        expect(Number(row?.n)).to.equal(1000);
      });

      it('splits a batch larger than one statement may carry and keeps input order', async function () {
        const size = maxRowsPerInsert(sqlDialectOf(knex)) + 10;
        const stored = newProspectSignedUpEvent();
        const storedId = (await repository.save(stored)).prospectId;
        const events = [...Array.from({ length: size }, () => newProspectSignedUpEvent()), stored];
        const saved = await repository.saveMany(events);
        expect(saved.map((s) => s.correlationId)).to.deep.equal(events.map((e) => e.correlationId));
        expect(saved.filter((s) => s.created)).to.have.length(size);
        expect(saved.at(-1)).to.deep.equal({ correlationId: stored.correlationId, prospectId: storedId, created: false });
      });

      it('writes every field to the column of the schema, the time as the same instant', async function () {
        const event = newProspectSignedUpEvent({ emailAddress: 'zoë.ñandú@example.com' });
        const { prospectId } = await repository.save(event);
        const row = await knex('Prospects').where('ProspectId', prospectId).first<Record<string, unknown>>();
        expect(row).to.include({
          FirstName: 'Ada', LastName: 'Lovelace', CompanyName: 'Analytical Engines', EmailAddress: 'zoë.ñandú@example.com',
          CountryCode: 'GBR', RoleCode: 'EN', EventId: event.correlationId.toLowerCase(),
        });
        expect(new Date(row.SignedUpAt as string | Date).toISOString()).to.equal(event.signedUpAt.toISOString());
      });

      if (backend.name === 'PostgreSQL') it('stores a time the codec accepts past the year 9999 (a four-digit year with an offset)', async function () {
        const event = { ...newProspectSignedUpEvent(), signedUpAt: new Date('9999-12-31T23:30:00-05:00') };
        const [saved] = await repository.saveMany([event, newProspectSignedUpEvent()]);
        const row = await knex('Prospects').where('ProspectId', saved!.prospectId).first<{ SignedUpAt: Date }>();
        expect(row?.SignedUpAt.getTime()).to.equal(event.signedUpAt.getTime());
      });

      if (backend.concurrentWriters) it('stores each event once when two connections save the same batch at once', async function () {
        const other = new SqlProspectRepository(database!.open());
        const events = Array.from({ length: 50 }, () => newProspectSignedUpEvent());
        const [a, b] = await Promise.all([repository.saveMany(events), other.saveMany([...events].reverse())]);
        expect(a.map((s) => s.prospectId)).to.deep.equal(b.map((s) => s.prospectId).reverse());
        const counts = await Promise.all(events.map((e) => rowCounter(knex)(e.correlationId)));
        expect(counts.every((count) => count === 1)).to.equal(true);
      });
    });
  });
}
