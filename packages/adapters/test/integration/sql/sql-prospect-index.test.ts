import { CONTRACT_STREAM_CHUNK, newIndexedProspect, prospectIndexContract } from '@signup/test-support/prospect-index-contract';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { after, before, describe, it } from 'mocha';
import { migrateDatabase, SqlProspectIndex } from '../../../src/sql/index.js';
import { PROSPECT_COMPANY_COUNT_TABLE, PROSPECT_DAY_COUNT_TABLE } from '../../../src/sql/migrations/add-prospect-index-rollups.js';
import { SIGNUP_MIGRATIONS, SIGNUP_MIGRATIONS_TABLE, SignUpMigrationSource } from '../../../src/sql/migrations/sign-up-migration-source.js';
import { PROSPECT_INDEX_TABLE } from '../../../src/sql/migrations/create-prospect-index-table.js';
import { maxIndexRowsPerInsert, toProspectIndexRow } from '../../../src/sql/prospect-index-statements.js';
import { sqlDialectOf } from '../../../src/sql/sql-dialect.js';
import { openMigrated, SQL_BACKENDS as backends, type ScratchDatabase } from './sql-test-databases.js';

for (const backend of backends) {
  describe(`SqlProspectIndex on ${backend.name}`, function () {
    before(async function () {
      await backend.require?.(this);
    });

    prospectIndexContract(`SqlProspectIndex (${backend.name})`, async () => {
      const database = await backend.create();
      const knex = await openMigrated(database);
      return { store: new SqlProspectIndex(knex, { streamChunkSize: CONTRACT_STREAM_CHUNK }), close: () => database.dispose() };
    });

    it('counts the sign-ups indexed before the rollups existed when migrated to them', async function () {
      const database = await backend.create();
      try {
        const knex = database.open();
        const before = new SignUpMigrationSource(SIGNUP_MIGRATIONS.filter((m) => m.name !== '20261130010000_add_prospect_index_rollups'));
        await knex.migrate.latest({ migrationSource: before, tableName: SIGNUP_MIGRATIONS_TABLE });
        const documents = [
          newIndexedProspect(), newIndexedProspect({ companyName: 'Navy', roleCode: 'AC', roleName: 'Architect' }),
          newIndexedProspect({ companyName: 'Navy', signUpDate: new Date('2026-11-24T00:00:00.000Z') }), newIndexedProspect({ companyName: '' }),
        ];
        await knex(PROSPECT_INDEX_TABLE).insert(documents.map((d) => toProspectIndexRow(d, sqlDialectOf(knex))));
        await migrateDatabase(knex);
        const store = new SqlProspectIndex(knex);
        expect(await store.summary({})).to.deep.equal({
          total: 4,
          byDay: [{ date: '2026-11-23', count: 3 }, { date: '2026-11-24', count: 1 }],
          byCountry: [{ countryCode: 'GBR', countryName: 'United Kingdom', count: 4 }],
          byRole: [{ roleCode: 'EN', roleName: 'Engineer', count: 3 }, { roleCode: 'AC', roleName: 'Architect', count: 1 }],
          topCompanies: [{ companyName: 'Navy', count: 2 }, { companyName: 'Analytical Engines', count: 1 }],
        });
        expect((await store.summary({ roleCode: 'AC' })).topCompanies).to.deep.equal([{ companyName: 'Navy', count: 1 }]);
        expect((await store.list({ countryCode: 'GBR', to: '2026-11-23' }, { page: 1, pageSize: 1 })).total).to.equal(3);
      } finally {
        await database.dispose();
      }
    });

    describe('indexMany', function () {
      let database: ScratchDatabase | undefined;
      let knex: Knex;
      let store: SqlProspectIndex;

      before(async function () {
        database = await backend.create();
        knex = await openMigrated(database);
        store = new SqlProspectIndex(knex);
      });

      after(async function () {
        await database?.dispose();
      });

      it('writes every field to its column, the event id in lower case and the UTC day beside the time', async function () {
        const document = newIndexedProspect({ eventId: newIndexedProspect().eventId.toUpperCase(), emailAddress: 'zoë.ñandú@example.com' });
        await store.indexMany([document]);
        const row = await knex(PROSPECT_INDEX_TABLE).where('EventId', document.eventId.toLowerCase()).first<Record<string, unknown>>();
        expect(row).to.include({
          FullName: 'Ada Lovelace', CompanyName: 'Analytical Engines', EmailAddress: 'zoë.ñandú@example.com', CountryCode: 'GBR',
          CountryName: 'United Kingdom', RoleCode: 'EN', RoleName: 'Engineer', SignUpDay: '2026-11-23',
        });
        expect(new Date(row?.SignUpDate as string | Date).toISOString()).to.equal('2026-11-23T10:00:00.000Z');
      });

      it('stores a batch larger than one statement may carry, once, and indexing it again adds nothing', async function () {
        await store.clear();
        const documents = Array.from({ length: maxIndexRowsPerInsert(sqlDialectOf(knex)) + 10 }, () => newIndexedProspect());
        expect(await store.indexMany(documents)).to.have.length(documents.length);
        await store.indexMany([...documents].reverse());
        expect((await store.summary({})).total).to.equal(documents.length);
      });

      it('counts each sign-up once in the rollups when two writers index overlapping batches at the same moment', async function () {
        await store.clear();
        const countries = [['GBR', 'United Kingdom'], ['PT', 'Portugal'], ['USA', 'United States']] as const;
        const documents = Array.from({ length: 600 }, (_, i) => newIndexedProspect({
          countryCode: countries[i % 3]![0], countryName: countries[i % 3]![1],
          companyName: i % 7 === 0 ? '' : `Company ${i % 13}`,
          signUpDate: new Date(Date.UTC(2026, 10, 1 + (i % 20), i % 24)),
        }));
        const other = new SqlProspectIndex(knex);
        // Two handler instances given redeliveries: the middle third is in both batches, in another order.
        await Promise.all([store.indexMany(documents.slice(0, 400)), other.indexMany(documents.slice(200).reverse())]);
        await Promise.all([store.indexMany(documents.slice(100, 300)), other.indexMany(documents.slice(250, 350))]);

        const [{ n: rows }] = await knex(PROSPECT_INDEX_TABLE).count({ n: '*' }) as [{ n: number | string }];
        expect(Number(rows)).to.equal(documents.length);
        const summary = await store.summary({});
        expect(summary.total).to.equal(documents.length);
        const perCountry: { CountryCode: string; n: number | string }[] = await knex(PROSPECT_INDEX_TABLE).select('CountryCode').count({ n: '*' })
          .groupBy('CountryCode');
        expect(summary.byCountry.map((c) => [c.countryCode, c.count]).sort())
          .to.deep.equal(perCountry.map((c) => [c.CountryCode, Number(c.n)]).sort());
        const perCompany: { CompanyName: string; n: number | string }[] = await knex(PROSPECT_INDEX_TABLE).select('CompanyName')
          .count({ n: '*' }).whereNot('CompanyName', '').where('CountryCode', 'PT').groupBy('CompanyName');
        const byCount = (a: [string, number], b: [string, number]): number => b[1] - a[1] || (a[0] < b[0] ? -1 : 1);
        expect((await store.summary({ countryCode: 'PT' })).topCompanies.map((c) => [c.companyName, c.count]))
          .to.deep.equal(perCompany.map((c): [string, number] => [c.CompanyName, Number(c.n)]).sort(byCount).slice(0, 10));
        expect((await store.list({ from: '2026-11-03', to: '2026-11-05' }, { page: 1, pageSize: 1 })).total)
          .to.equal(documents.filter((d) => d.signUpDate.getUTCDate() >= 3 && d.signUpDate.getUTCDate() <= 5).length);
      });

      it('adds a batch with thousands of distinct days and companies to the rollups', async function () {
        await store.clear();
        const documents = Array.from({ length: 3000 }, (_, i) => newIndexedProspect({
          companyName: `Company ${i}`, signUpDate: new Date(Date.UTC(2020, 0, 1 + i)),
        }));
        await store.indexMany(documents);
        const summary = await store.summary({});
        expect([summary.total, summary.byDay.length]).to.deep.equal([3000, 3000]);
        const [{ n }] = await knex(PROSPECT_COMPANY_COUNT_TABLE).count({ n: '*' }) as [{ n: number | string }];
        expect(Number(n)).to.equal(3000 * 4);
      });

      it('empties the rollups with the rows when cleared', async function () {
        await store.indexMany([newIndexedProspect(), newIndexedProspect({ companyName: 'Navy' })]);
        await store.clear();
        for (const table of [PROSPECT_INDEX_TABLE, PROSPECT_DAY_COUNT_TABLE, PROSPECT_COMPANY_COUNT_TABLE]) {
          const [{ n }] = await knex(table).count({ n: '*' }) as [{ n: number | string }];
          expect(Number(n), table).to.equal(0);
        }
      });

      // SQLite does not check lengths.
      if (backend.name !== 'SQLite') it('refuses a value longer than its column with a permanent PROSPECT_NOT_STORABLE', async function () {
        const error = await store.indexMany([newIndexedProspect({ companyName: 'x'.repeat(201) })]).catch((e: unknown) => e);
        expect(error).to.include({ code: 'PROSPECT_NOT_STORABLE', transient: false });
      });
    });
  });
}
