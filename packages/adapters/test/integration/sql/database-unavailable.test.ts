import { DatabaseUnavailableError } from '@signup/domain';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { after, before, describe, it } from 'mocha';
import {
  createKnex, DatabaseReferenceDataLoader, migrateDatabase, SqlHealthCheck, SqlProspectRepository,
} from '../../../src/sql/index.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected a rejection');
}

// Port 1 on the loopback interface: nothing listens there, so every connection is refused.
const closedPorts: [string, string][] = [
  ['PostgreSQL', 'postgres://root@127.0.0.1:1/test'],
  ['MySQL', 'mysql://root@127.0.0.1:1/test'],
  ['SQL Server', 'Server=tcp:127.0.0.1,1;Database=SignUp;User Id=sa;Password=unused'],
];

for (const [name, connectionString] of closedPorts) {
  describe(`SQL adapters when ${name} is down`, function () {
    let knex: Knex;

    before(function () {
      knex = createKnex(connectionString);
    });

    after(async function () {
      await knex.destroy();
    });

    it('SqlProspectRepository.save rejects with DatabaseUnavailableError', async function () {
      const error = await rejection(new SqlProspectRepository(knex).save(newProspectSignedUpEvent()));
      expect(error).to.be.instanceOf(DatabaseUnavailableError);
      expect((error as DatabaseUnavailableError).transient).to.equal(true);
    });

    it('SqlProspectRepository.saveMany rejects with DatabaseUnavailableError', async function () {
      const error = await rejection(new SqlProspectRepository(knex).saveMany([newProspectSignedUpEvent(), newProspectSignedUpEvent()]));
      expect(error).to.be.instanceOf(DatabaseUnavailableError);
    });

    it('DatabaseReferenceDataLoader.load rejects with DatabaseUnavailableError', async function () {
      expect(await rejection(new DatabaseReferenceDataLoader(knex).load())).to.be.instanceOf(DatabaseUnavailableError);
    });

    it('SqlHealthCheck fails with DatabaseUnavailableError', async function () {
      const check = new SqlHealthCheck(knex);
      expect(check.name).to.equal('database');
      expect(await rejection(check.check())).to.be.instanceOf(DatabaseUnavailableError);
    });

    it('migrateDatabase rejects with DatabaseUnavailableError without retrying for long', async function () {
      expect(await rejection(migrateDatabase(knex))).to.be.instanceOf(DatabaseUnavailableError);
    });
  });
}
