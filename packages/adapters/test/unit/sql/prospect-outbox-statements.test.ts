import { randomUUID } from 'node:crypto';
import type { ProspectSignedUpEvent } from '@signup/domain';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { after, describe, it } from 'mocha';
import { decodeProspectSignedUpEvent, encodeProspectSignedUpEvent } from '../../../src/nats/prospect-signed-up-codec.js';
import { createProspectOutboxTable } from '../../../src/sql/migrations/create-prospect-outbox-table.js';
import { toOutboxRow } from '../../../src/sql/prospect-outbox-rows.js';
import { claimOutboxRows } from '../../../src/sql/sql-prospect-outbox-relay.js';

function event(): ProspectSignedUpEvent {
  return {
    correlationId: randomUUID().toUpperCase(),
    signedUpAt: new Date('2026-12-06T10:00:00.000Z'),
    prospect: {
      firstName: 'Zoë', lastName: 'Łukasiewicz', companyName: 'Ünïcode Ltd', emailAddress: 'zoe@example.com',
      country: { countryCode: 'POL', countryName: 'Poland' }, role: { roleCode: 'EN', roleName: 'Engineer' },
    },
  };
}

const compilers: Knex[] = [];
function compilerFor(client: string): Knex {
  const knex = knexFactory({ client, useNullAsDefault: true });
  compilers.push(knex);
  return knex;
}

describe('ProspectOutbox statements (compiled, no server)', function () {
  after(async function () {
    await Promise.all(compilers.map((knex) => knex.destroy()));
  });

  describe('createProspectOutboxTable', function () {
    it('gives SQL Server an identity key, the EventId and a varbinary(max) payload', function () {
      const sql = createProspectOutboxTable(compilerFor('mssql')).toString();
      expect(sql).to.include('CREATE TABLE [ProspectOutbox]');
      expect(sql).to.include('[OutboxId] bigint identity(1,1) not null primary key');
      expect(sql).to.include('[EventId] nvarchar(36) not null');
      expect(sql).to.include('[Payload] varbinary(max) not null');
      expect(sql).to.include('[CreatedAt] datetime2 not null');
    });

    it('stores the payload as bytes on PostgreSQL and MySQL', function () {
      expect(createProspectOutboxTable(compilerFor('pg')).toString()).to.include('"Payload" bytea not null');
      expect(createProspectOutboxTable(compilerFor('mysql2')).toString()).to.match(/`Payload` blob not null/);
    });
  });

  describe('claimOutboxRows', function () {
    it('skips rows another SQL Server transaction holds with READPAST and locks what it reads', function () {
      const sql = claimOutboxRows(compilerFor('mssql'), 'mssql', 500).toQuery();
      expect(sql).to.equal('select top (500) [OutboxId], [EventId], [Payload] from [ProspectOutbox] with (updlock, readpast, rowlock) order by [OutboxId]');
    });

    it('uses FOR UPDATE SKIP LOCKED on PostgreSQL and MySQL, oldest first', function () {
      expect(claimOutboxRows(compilerFor('pg'), 'postgres', 10).toQuery())
        .to.equal('select "OutboxId", "EventId", "Payload" from "ProspectOutbox" order by "OutboxId" asc limit 10 for update skip locked');
      expect(claimOutboxRows(compilerFor('mysql2'), 'mysql', 10).toQuery())
        .to.equal('select `OutboxId`, `EventId`, `Payload` from `ProspectOutbox` order by `OutboxId` asc limit 10 for update skip locked');
    });

    it('refuses a batch size that is not a positive integer', function () {
      expect(() => claimOutboxRows(compilerFor('mssql'), 'mssql', 0)).to.throw(RangeError, /batchSize/);
    });
  });

  describe('toOutboxRow', function () {
    it('holds exactly the bytes the publisher sends, in either encoding, keyed by the lower-case EventId', function () {
      const signedUp = event();
      for (const encoding of ['utf-8', 'utf-16le'] as const) {
        const row = toOutboxRow(signedUp, encoding, 'postgres', new Date());
        expect(row.EventId).to.equal(signedUp.correlationId.toLowerCase());
        expect(Buffer.compare(row.Payload, Buffer.from(encodeProspectSignedUpEvent(signedUp, encoding)))).to.equal(0);
        expect(decodeProspectSignedUpEvent(row.Payload)).to.deep.equal(signedUp);
      }
      expect(toOutboxRow(signedUp, 'utf-16le', 'postgres', new Date()).Payload[1]).to.equal(0);
    });
  });
});
