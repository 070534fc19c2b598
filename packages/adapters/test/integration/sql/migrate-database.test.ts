import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DatabaseUnavailableError, ReferenceData, SignUpError } from '@signup/domain';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { afterEach, before, describe, it } from 'mocha';
import { DatabaseReferenceDataLoader, migrateDatabase, SIGNUP_MIGRATIONS_TABLE } from '../../../src/sql/index.js';
import { createSqliteDatabase, SQL_BACKENDS as backends, type ScratchDatabase } from './sql-test-databases.js';

const run = promisify(execFile);
const sqlIndex = fileURLToPath(new URL('../../../src/sql/index.js', import.meta.url));

async function count(knex: Knex, table: string): Promise<number> {
  const [row] = await knex(table).count<{ n: number | string }[]>({ n: '*' });
  return Number(row?.n ?? 0);
}

async function expectMigratedOnce(knex: Knex): Promise<void> {
  expect(await count(knex, 'Countries')).to.equal(14);
  expect(await count(knex, 'Roles')).to.equal(6);
  expect(await knex(SIGNUP_MIGRATIONS_TABLE).pluck('name'))
    .to.deep.equal(['20261123000000_create_signup_schema', '20261130000000_create_prospect_index', '20261130010000_add_prospect_index_rollups',
      '20261206000000_create_prospect_outbox_table']);
  expect(await knex(`${SIGNUP_MIGRATIONS_TABLE}_lock`).select('is_locked')).to.deep.equal([{ is_locked: 0 }]);
}

for (const backend of backends) {
  describe(`migrateDatabase on ${backend.name}`, function () {
    let database: ScratchDatabase | undefined;

    before(async function () {
      await backend.require?.(this);
    });

    afterEach(async function () {
      await database?.dispose();
      database = undefined;
    });

    it('creates the schema and seeds the reference data', async function () {
      database = await backend.create();
      const knex = database.open();
      await migrateDatabase(knex);
      await expectMigratedOnce(knex);
      for (const table of ['Countries', 'Roles', 'Prospects', 'ProspectIndex']) expect(await knex.schema.hasTable(table), table).to.equal(true);
    });

    it('changes nothing when it runs again', async function () {
      database = await backend.create();
      const knex = database.open();
      await migrateDatabase(knex);
      await migrateDatabase(knex);
      await migrateDatabase(database.open());
      await expectMigratedOnce(knex);
    });

    it('migrates once when two connections run it at the same moment', async function () {
      database = await backend.create();
      const knexes = [database.open(), database.open(), database.open()];
      await Promise.all(knexes.map((knex) => migrateDatabase(knex)));
      await expectMigratedOnce(knexes[0]!);
    });

    it('puts back the original names and keeps reference data it does not know', async function () {
      database = await backend.create();
      const knex = database.open();
      await migrateDatabase(knex);
      await knex('Countries').where('CountryCode', 'GBR').update({ CountryName: 'Britain' });
      await knex('Countries').insert({ CountryCode: 'ATL', CountryName: 'Atlantis' });
      await migrateDatabase(knex);
      expect(await knex('Countries').where('CountryCode', 'GBR').first('CountryName')).to.deep.equal({ CountryName: 'United Kingdom' });
      expect(await knex('Countries').where('CountryCode', 'ATL').first('CountryName')).to.deep.equal({ CountryName: 'Atlantis' });
    });

    it('seeds reference data that loads in display order', async function () {
      database = await backend.create();
      const knex = database.open();
      await migrateDatabase(knex);
      const loaded = await new DatabaseReferenceDataLoader(knex).load();
      const expected = ReferenceData.defaults();
      expect(loaded.countries).to.deep.equal(expected.countries);
      expect(loaded.roles).to.deep.equal(expected.roles);
      expect(loaded.countries[0]).to.deep.equal({ countryCode: '-', countryName: '--Not telling' });
      expect(loaded.roles.map((r) => r.roleName)).to.deep.equal(['--Not telling', 'Architect', 'Consultant', 'Engineer', 'IT Ops', 'Trainer']);
    });
  });
}

describe('migrateDatabase when it cannot finish', function () {
  let database: ScratchDatabase | undefined;

  afterEach(async function () {
    await database?.dispose();
    database = undefined;
  });

  it('gives up with DatabaseUnavailableError, saying how to release it, when the migration lock stays taken', async function () {
    database = await createSqliteDatabase();
    const knex = database.open();
    await migrateDatabase(knex);
    await knex(`${SIGNUP_MIGRATIONS_TABLE}_lock`).update({ is_locked: 1 });
    const error = await migrateDatabase(knex, { retryDelaysMs: [1, 1] }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(DatabaseUnavailableError);
    expect((error as Error).message).to.include(`UPDATE ${SIGNUP_MIGRATIONS_TABLE}_lock SET is_locked = 0`);
  });

  it('refuses, as a permanent error, tables of the same names that it did not create', async function () {
    database = await createSqliteDatabase();
    const knex = database.open();
    await knex.schema.createTable('Countries', (table) => {
      table.string('Code').primary();
    });
    const error = await migrateDatabase(knex, { retryDelaysMs: [1, 1, 1, 1, 1] }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(SignUpError);
    expect(error).to.not.be.instanceOf(DatabaseUnavailableError);
    expect((error as SignUpError).code).to.equal('DATABASE_ERROR');
    expect((error as Error).message).to.match(/already exists but is not recorded/);
  });
});

describe('migrateDatabase from separate processes', function () {
  let database: (ScratchDatabase & { readonly file: string }) | undefined;

  afterEach(async function () {
    await database?.dispose();
    database = undefined;
  });

  it('migrates a SQLite file once when two processes start at the same moment', async function () {
    database = await createSqliteDatabase();
    const script = `const { createKnex, migrateDatabase } = await import(${JSON.stringify(sqlIndex)});
      const knex = createKnex(process.argv[1]);
      try { await migrateDatabase(knex); } finally { await knex.destroy(); }`;
    const start = () => run(process.execPath, ['--input-type=module', '-e', script, database!.connectionString]);
    await Promise.all([start(), start()]);
    await expectMigratedOnce(database.open());
  });
});
