import { DatabaseUnavailableError } from '@signup/domain';
import { requirePostgres } from '@signup/test-support/postgres';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';
import { TcpProxy } from '@signup/test-support/tcp-proxy';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { createKnex, SqlProspectRepository } from '../../../src/sql/index.js';
import { createPostgresDatabase, openMigrated, rowCounter, type ScratchDatabase } from './sql-test-databases.js';

async function failure(promise: Promise<unknown>): Promise<DatabaseUnavailableError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(DatabaseUnavailableError);
    return error as DatabaseUnavailableError;
  }
  throw new Error('expected the save to fail');
}

describe('SqlProspectRepository on PostgreSQL when the connection goes away', function () {
  let database: ScratchDatabase | undefined;
  let direct: Knex;
  let proxy: TcpProxy;
  let proxied: Knex;
  let repository: SqlProspectRepository;

  before(async function () {
    await requirePostgres(this);
    database = await createPostgresDatabase();
    direct = await openMigrated(database);
  });

  beforeEach(async () => {
    const target = new URL(database!.connectionString);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const url = new URL(target.href);
    url.port = String(proxy.port);
    proxied = createKnex(url.href, { acquireTimeoutMs: 1000 });
    repository = new SqlProspectRepository(proxied);
  });

  afterEach(async () => {
    await proxied.destroy();
    await proxy.close();
  });

  after(async () => {
    await database?.dispose();
  });

  it('says nothing was saved when it cannot get a connection', async () => {
    proxy.cut();
    const event = newProspectSignedUpEvent();

    const error = await failure(repository.save(event));

    expect(error.outcomeUnknown).to.equal(false);
    expect(await rowCounter(direct)(event.correlationId)).to.equal(0);
  });

  it('says the outcome is unknown when the connection is lost after the insert was sent', async () => {
    await repository.save(newProspectSignedUpEvent());
    proxy.freeze();
    const event = newProspectSignedUpEvent();
    const saving = failure(repository.save(event));
    // The pooled connection is open, so the insert is sent at once and waits in the frozen proxy.
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.cut();

    const error = await saving;

    expect(error.outcomeUnknown).to.equal(true);
    expect(error.message).to.match(/unavailable/);
  });
});
