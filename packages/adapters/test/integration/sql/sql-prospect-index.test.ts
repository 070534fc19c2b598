import { CONTRACT_STREAM_CHUNK, newIndexedProspect, prospectIndexContract } from '@signup/test-support/prospect-index-contract';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { after, before, describe, it } from 'mocha';
import { SqlProspectIndex } from '../../../src/sql/index.js';
import { PROSPECT_INDEX_TABLE } from '../../../src/sql/migrations/create-prospect-index-table.js';
import { maxIndexRowsPerInsert } from '../../../src/sql/prospect-index-statements.js';
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

      // SQLite does not check lengths.
      if (backend.name !== 'SQLite') it('refuses a value longer than its column with a permanent PROSPECT_NOT_STORABLE', async function () {
        const error = await store.indexMany([newIndexedProspect({ companyName: 'x'.repeat(201) })]).catch((e: unknown) => e);
        expect(error).to.include({ code: 'PROSPECT_NOT_STORABLE', transient: false });
      });
    });
  });
}
