import { existsSync } from 'node:fs';
import { DatabaseUnavailableError } from '@signup/domain';
import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import { afterEach, describe, it } from 'mocha';
import { createKnex, DatabaseReferenceDataLoader, migrateDatabase, SqlHealthCheck } from '../../../src/sql/index.js';
import { createSqliteDatabase, type ScratchDatabase } from './sql-test-databases.js';

describe('SQLite through createKnex', function () {
  let database: (ScratchDatabase & { readonly file: string }) | undefined;

  afterEach(async function () {
    await database?.dispose();
    database = undefined;
  });

  it('creates the database file\'s missing folder', async function () {
    database = await createSqliteDatabase();
    expect(existsSync(database.file)).to.equal(false);
    const knex = database.open();
    await knex.raw('select 1');
    expect(existsSync(database.file)).to.equal(true);
  });

  it('opens the file in WAL mode with foreign keys enforced and a busy timeout', async function () {
    database = await createSqliteDatabase();
    const knex = database.open({ statementTimeoutMs: 1234 });
    expect(await knex.raw('pragma journal_mode')).to.deep.equal([{ journal_mode: 'wal' }]);
    expect(await knex.raw('pragma foreign_keys')).to.deep.equal([{ foreign_keys: 1 }]);
    expect(await knex.raw('pragma busy_timeout')).to.deep.equal([{ timeout: 1234 }]);
  });

  it('reports a folder it cannot create as a ConfigurationError', function () {
    expect(() => createKnex('sqlite:/dev/null/signup/signup.db')).to.throw(ConfigurationError, /cannot create the folder/);
  });

  it('passes SqlHealthCheck once open', async function () {
    database = await createSqliteDatabase();
    await new SqlHealthCheck(database.open()).check();
  });

  it('makes DatabaseReferenceDataLoader fail as unavailable before the migrations ran', async function () {
    database = await createSqliteDatabase();
    const loader = new DatabaseReferenceDataLoader(database.open());
    const error = await loader.load().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(DatabaseUnavailableError);
  });

  it('makes DatabaseReferenceDataLoader fail as unavailable when the reference tables are empty', async function () {
    database = await createSqliteDatabase();
    const knex = database.open();
    await migrateDatabase(knex);
    await knex('Roles').del();
    const error = await new DatabaseReferenceDataLoader(knex).load().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(DatabaseUnavailableError);
    expect((error as Error).message).to.match(/run the migrations/);
  });
});
