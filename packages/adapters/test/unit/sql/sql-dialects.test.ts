import { randomUUID } from 'node:crypto';
import type { ProspectSignedUpEvent } from '@signup/domain';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { after, describe, it } from 'mocha';
import { createSignUpSchema } from '../../../src/sql/migrations/create-sign-up-schema.js';
import { SIGNUP_MIGRATIONS, SignUpMigrationSource } from '../../../src/sql/migrations/sign-up-migration-source.js';
import { buildProspectInsert, maxRowsPerInsert, PROSPECT_COLUMNS, toProspectRow } from '../../../src/sql/prospect-insert.js';
import { referenceDataUpserts } from '../../../src/sql/seed-reference-data.js';
import { sqlDialectOf, type SqlDialect } from '../../../src/sql/sql-dialect.js';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

/** A test event whose correlation id is in upper case, as some clients send it. */
const event = (): ProspectSignedUpEvent => newProspectSignedUpEvent({ correlationId: randomUUID().toUpperCase(), companyName: '' });

function rows(dialect: SqlDialect, count: number): ReturnType<typeof toProspectRow>[] {
  return Array.from({ length: count }, () => toProspectRow(event(), dialect));
}

function statementCount(sql: string): number {
  return sql.split(';').filter((part) => part.trim() !== '').length;
}

/** knex instances with no connection: they only compile SQL. */
const compilers: Knex[] = [];
function compilerFor(client: string): Knex {
  const knex = knexFactory({ client, useNullAsDefault: true });
  compilers.push(knex);
  return knex;
}

describe('SQL dialects (compiled, no server)', function () {
  after(async function () {
    await Promise.all(compilers.map((knex) => knex.destroy()));
  });

  describe('SQL Server', function () {
    const mssql = compilerFor('mssql');

    it('is recognised as the mssql dialect', function () {
      expect(sqlDialectOf(mssql)).to.equal('mssql');
    });

    describe('the schema migration', function () {
      const sql = createSignUpSchema(mssql).toString();

      it('creates the three tables with the names of the original schema', function () {
        expect(sql).to.include('CREATE TABLE [Countries] ([CountryCode] nvarchar(10) not null, [CountryName] nvarchar(100) not null, CONSTRAINT [PK_Countries] PRIMARY KEY ([CountryCode]))');
        expect(sql).to.include('CREATE TABLE [Roles] ([RoleCode] nvarchar(10) not null, [RoleName] nvarchar(100) not null, CONSTRAINT [PK_Roles] PRIMARY KEY ([RoleCode]))');
        expect(sql).to.include('CREATE TABLE [Prospects]');
      });

      it('gives Prospects an identity key and columns sized to the validation limits', function () {
        expect(sql).to.include('[ProspectId] int identity(1,1) not null primary key');
        for (const column of ['[FirstName] nvarchar(100) not null', '[LastName] nvarchar(100) not null',
          '[CompanyName] nvarchar(200) not null', '[EmailAddress] nvarchar(254) not null', '[SignedUpAt] datetime2 not null',
          '[EventId] nvarchar(36) not null']) {
          expect(sql).to.include(column);
        }
      });

      it('makes EventId unique', function () {
        expect(sql).to.include('ALTER TABLE [Prospects] ADD CONSTRAINT [UQ_Prospects_EventId] UNIQUE ([EventId])');
      });

      it('references Countries and Roles with foreign keys', function () {
        expect(sql).to.include('CONSTRAINT [FK_Prospects_Countries] FOREIGN KEY ([CountryCode]) REFERENCES [Countries] ([CountryCode])');
        expect(sql).to.include('CONSTRAINT [FK_Prospects_Roles] FOREIGN KEY ([RoleCode]) REFERENCES [Roles] ([RoleCode])');
      });
    });

    describe('the batch insert', function () {
      it('is one statement that skips stored EventIds and outputs the ones it inserted', function () {
        const { sql, bindings } = buildProspectInsert(mssql, 'mssql', rows('mssql', 3)).toSQL();
        expect(statementCount(sql)).to.equal(1);
        expect(sql.match(/insert into/gi)).to.have.length(1);
        expect(sql).to.match(/^insert into \[Prospects\] \(\[FirstName\], .*\[EventId\]\) output inserted\.\[EventId\] select /);
        expect(sql).to.include('from (values (?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?)) as [v]');
        expect(sql).to.include('where not exists (select 1 from [Prospects] as [p] with (updlock, holdlock) where [p].[EventId] = [v].[EventId])');
        expect(bindings).to.have.length(3 * PROSPECT_COLUMNS.length);
      });

      it('stays under SQL Server\'s 2100 parameters at the largest batch one statement carries', function () {
        const largest = maxRowsPerInsert('mssql');
        const { bindings } = buildProspectInsert(mssql, 'mssql', rows('mssql', largest)).toSQL().toNative();
        expect(bindings.length).to.be.at.most(2100);
        expect(largest).to.be.at.least(200);
      });

      it('binds the lower-cased correlation id as EventId and the time as a Date', function () {
        const source = event();
        const row = toProspectRow(source, 'mssql');
        expect(row.EventId).to.equal(source.correlationId.toLowerCase());
        expect(row.SignedUpAt).to.be.instanceOf(Date);
      });
    });

    it('seeds reference data with one MERGE per table that holds its key range', function () {
      const statements = referenceDataUpserts(mssql).map((statement) => statement.toSQL().sql);
      expect(statements).to.have.length(2);
      expect(statements[0]).to.match(/^merge into \[Countries\] with \(holdlock\) as \[target\] using \(values (\(\?, \?\), ){13}\(\?, \?\)\)/);
      expect(statements[1]).to.match(/^merge into \[Roles\] with \(holdlock\)/);
      expect(statements[0]).to.include('when not matched then insert ([CountryCode], [CountryName]) values ([source].[CountryCode], [source].[CountryName]);');
    });
  });

  describe('the batch insert in the other dialects', function () {
    const cases: [string, SqlDialect, RegExp][] = [
      ['better-sqlite3', 'sqlite', /^insert into "Prospects" .* values .* on conflict \("EventId"\) do nothing returning "EventId"$/],
      ['mysql2', 'mysql', /^insert into `Prospects` .* values .* on duplicate key update `EventId` = values\(`EventId`\)$/],
    ];
    for (const [client, dialect, shape] of cases) {
      it(`is one statement for a 1,000-event batch with ${client}`, function () {
        const knex = compilerFor(client);
        expect(sqlDialectOf(knex)).to.equal(dialect);
        expect(maxRowsPerInsert(dialect)).to.be.at.least(1000);
        const { sql, bindings } = buildProspectInsert(knex, dialect, rows(dialect, 1000)).toSQL();
        expect(statementCount(sql)).to.equal(1);
        expect(sql).to.not.match(/union all/i);
        expect(sql).to.match(shape);
        expect(bindings).to.have.length(1000 * PROSPECT_COLUMNS.length);
      });
    }

    it('binds a PostgreSQL batch as one array per column, the times as Dates', function () {
      const knex = compilerFor('pg');
      expect(sqlDialectOf(knex)).to.equal('postgres');
      expect(maxRowsPerInsert('postgres')).to.be.at.least(1000);
      const batch = rows('postgres', 1000);
      const { sql, bindings } = buildProspectInsert(knex, 'postgres', batch).toSQL();
      expect(statementCount(sql)).to.equal(1);
      expect(sql).to.match(/^insert into "Prospects" \("FirstName", .*, "EventId"\) select \* from unnest\(\?::text\[\], .*\?::timestamptz\[\], \?::text\[\]\) on conflict \("EventId"\) do nothing returning "ProspectId", "EventId"$/);
      expect(bindings).to.have.length(PROSPECT_COLUMNS.length);
      const columns = bindings as unknown as unknown[][];
      columns.forEach((column) => expect(column).to.have.length(1000));
      expect(columns[PROSPECT_COLUMNS.indexOf('EventId')]).to.deep.equal(batch.map((row) => row.EventId));
      expect(columns[PROSPECT_COLUMNS.indexOf('SignedUpAt')]?.[0]).to.equal(batch[0]?.SignedUpAt).and.be.instanceOf(Date);
    });

    it('stores SQLite times as UTC ISO 8601 text', function () {
      expect(toProspectRow(event(), 'sqlite').SignedUpAt).to.equal('2026-11-23T10:00:00.000Z');
    });

    it('refuses an event whose time is not valid', function () {
      expect(() => toProspectRow({ ...event(), signedUpAt: new Date(NaN) }, 'postgres'))
        .to.throw(/no valid sign-up time/).with.property('code', 'PROSPECT_NOT_STORABLE');
    });
  });

  describe('SignUpMigrationSource', function () {
    it('lists the compiled migrations in order under stable names', async function () {
      const source = new SignUpMigrationSource();
      const migrations = await source.getMigrations();
      expect(migrations.map((m) => source.getMigrationName(m)))
        .to.deep.equal(['20261123000000_create_signup_schema', '20261130000000_create_prospect_index', '20261130010000_add_prospect_index_rollups',
      '20261206000000_create_prospect_outbox_table']);
      expect(await source.getMigration(SIGNUP_MIGRATIONS[0]!)).to.have.property('up').that.is.a('function');
    });
  });
});
