import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { afterEach, describe, it } from 'mocha';
import { createKnex, DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from '../../../src/sql/index.js';

/** JetStream's default ack wait: a database wait must end well before it. */
const ACK_WAIT_MS = 30_000;

describe('createKnex', function () {
  let opened: Knex[] = [];
  const open = (connectionString: string, options?: Parameters<typeof createKnex>[1]): Knex => {
    const knex = createKnex(connectionString, options);
    opened.push(knex);
    return knex;
  };
  const config = (knex: Knex): Knex.Config & { pool: Knex.PoolConfig; connection: Record<string, unknown> } =>
    (knex.client as { config: unknown }).config as Knex.Config & { pool: Knex.PoolConfig; connection: Record<string, unknown> };

  afterEach(async function () {
    await Promise.all(opened.map((knex) => knex.destroy()));
    opened = [];
  });

  it('keeps the default acquire and statement timeouts well below a 30 s ack wait', function () {
    expect(DEFAULT_ACQUIRE_TIMEOUT_MS).to.equal(2000);
    expect(DEFAULT_ACQUIRE_TIMEOUT_MS + DEFAULT_STATEMENT_TIMEOUT_MS).to.be.below(ACK_WAIT_MS / 3);
  });

  it('gives PostgreSQL a short acquire timeout, a statement timeout and a connect timeout', function () {
    const { client, pool, connection } = config(open('postgres://root@127.0.0.1:5432/test'));
    expect(client).to.equal('pg');
    expect(pool).to.include({ min: 0, max: 10, acquireTimeoutMillis: 2000, createTimeoutMillis: 2000 });
    expect(connection).to.include({
      connectionString: 'postgres://root@127.0.0.1:5432/test', statement_timeout: 5000, connectionTimeoutMillis: 2000,
    });
    expect(connection.query_timeout).to.be.above(5000).and.below(ACK_WAIT_MS);
  });

  it('applies the timeouts and pool size it is given', function () {
    const { pool, connection } = config(open('postgres://root@db/test', { acquireTimeoutMs: 500, statementTimeoutMs: 1500, poolMax: 4 }));
    expect(pool).to.include({ max: 4, acquireTimeoutMillis: 500 });
    expect(connection).to.include({ statement_timeout: 1500, connectionTimeoutMillis: 500 });
  });

  it('gives MySQL a connect timeout and UTC times', function () {
    const { client, pool, connection } = config(open('mysql://root@127.0.0.1:3306/test'));
    expect(client).to.equal('mysql2');
    expect(pool.acquireTimeoutMillis).to.equal(2000);
    expect(connection).to.include({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test', connectTimeout: 2000, timezone: 'Z' });
  });

  it('gives SQL Server connection and request timeouts from an ADO.NET string', function () {
    const { client, connection } = config(open('Server=tcp:db,1433;Database=SignUp;User Id=sa;Password=x;TrustServerCertificate=True'));
    expect(client).to.equal('mssql');
    expect(connection).to.include({ server: 'db', port: 1433, user: 'sa', database: 'SignUp', connectionTimeout: 2000, requestTimeout: 5000 });
    expect(connection.options).to.include({ trustServerCertificate: true, useUTC: true });
  });

  it('keeps SQLite to one connection that is never dropped while idle', function () {
    const { client, pool, useNullAsDefault } = config(open('sqlite::memory:'));
    expect(client).to.equal('better-sqlite3');
    expect(pool).to.include({ min: 1, max: 1 });
    expect(useNullAsDefault).to.equal(true);
  });

  it('rejects a malformed connection string with a ConfigurationError', function () {
    expect(() => createKnex('nonsense')).to.throw(ConfigurationError, /ConnectionStrings:SignUpDb/);
  });

  it('names the key the connection string came from when given', function () {
    expect(() => createKnex('nonsense', { connectionStringKey: 'ConnectionStrings:AnalyticsDb' }))
      .to.throw(ConfigurationError, /^ConnectionStrings:AnalyticsDb = "nonsense" is not a valid connection string/)
      .with.property('key', 'ConnectionStrings:AnalyticsDb');
  });

  it('rejects a timeout that is not a positive number', function () {
    expect(() => createKnex('sqlite::memory:', { acquireTimeoutMs: 0 })).to.throw(RangeError, /acquireTimeoutMs/);
  });
});
