import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { after, describe, it } from 'mocha';
import { createProspectIndexTable, PROSPECT_INDEX_TABLE } from '../../../src/sql/migrations/create-prospect-index-table.js';
import {
  applyAnalyticsFilter, buildProspectIndexInsert, containsPattern, maxIndexRowsPerInsert, PROSPECT_INDEX_COLUMNS, rowsAfter, toProspectIndexRow,
} from '../../../src/sql/prospect-index-statements.js';
import type { SqlDialect } from '../../../src/sql/sql-dialect.js';

const document = {
  eventId: '6F9619FF-8B86-4011-B42D-00C04FC964FF',
  fullName: 'Ada Lovelace',
  companyName: '',
  emailAddress: 'ada@example.com',
  countryCode: 'GBR',
  countryName: 'United Kingdom',
  roleCode: 'EN',
  roleName: 'Engineer',
  signUpDate: new Date('2026-11-23T23:59:59.999Z'),
};

/** knex instances with no connection: they only compile SQL. */
const compilers: Knex[] = [];
function compilerFor(client: string): Knex {
  const knex = knexFactory({ client, useNullAsDefault: true });
  compilers.push(knex);
  return knex;
}

describe('ProspectIndex statements (compiled, no server)', function () {
  after(async function () {
    await Promise.all(compilers.map((knex) => knex.destroy()));
  });

  describe('on SQL Server', function () {
    const mssql = compilerFor('mssql');

    it('creates the table with a unique EventId and the indexes the dashboard reads through', function () {
      const sql = createProspectIndexTable(mssql).toString();
      expect(sql).to.include('CREATE TABLE [ProspectIndex] ([ProspectIndexId] bigint identity(1,1) not null primary key');
      for (const column of ['[EventId] nvarchar(36) not null', '[FullName] nvarchar(201) not null', '[CompanyName] nvarchar(200) not null',
        '[EmailAddress] nvarchar(254) not null', '[CountryName] nvarchar(100) not null', '[SignUpDate] datetime2 not null',
        '[SignUpDay] nvarchar(10) not null']) {
        expect(sql).to.include(column);
      }
      expect(sql).to.include('ALTER TABLE [ProspectIndex] ADD CONSTRAINT [UQ_ProspectIndex_EventId] UNIQUE ([EventId])');
      expect(sql).to.include('CREATE INDEX [IX_ProspectIndex_SignUpDate] ON [ProspectIndex] ([SignUpDate], [EventId])');
      expect(sql).to.include('CREATE INDEX [IX_ProspectIndex_SignUpDay] ON [ProspectIndex] ([SignUpDay], [CountryCode], [CountryName], [RoleCode], [RoleName])');
      expect(sql).to.include('CREATE INDEX [IX_ProspectIndex_CountryCode] ON [ProspectIndex] ([CountryCode], [SignUpDate], [EventId])');
      expect(sql).to.include('CREATE INDEX [IX_ProspectIndex_RoleCode] ON [ProspectIndex] ([RoleCode], [SignUpDate], [EventId])');
      expect(sql).to.include('CREATE INDEX [IX_ProspectIndex_CompanyName] ON [ProspectIndex] ([CompanyName])');
    });

    it('inserts a batch in one statement that skips stored EventIds, under SQL Server\'s 2100 parameters', function () {
      const largest = maxIndexRowsPerInsert('mssql');
      const rows = Array.from({ length: largest }, () => toProspectIndexRow(document, 'mssql'));
      const { sql, bindings } = buildProspectIndexInsert(mssql, 'mssql', rows).toSQL().toNative();
      expect(sql.match(/insert into/gi)).to.have.length(1);
      expect(sql).to.match(/^insert into \[ProspectIndex\] \(\[EventId\], .*\[SignUpDay\]\) select \[v\]\.\[EventId\], /);
      expect(sql).to.include('where not exists (select 1 from [ProspectIndex] as [p] with (updlock, holdlock) where [p].[EventId] = [v].[EventId])');
      expect(bindings).to.have.length(largest * PROSPECT_INDEX_COLUMNS.length);
      expect(bindings.length).to.be.at.most(2100);
    });

    it('resumes the CSV stream after a row by its exact millisecond, bound as text SQL Server reads into datetime2(3), not as datetime', function () {
      const last = { signUpDate: new Date('2026-11-23T10:00:00.001Z'), eventId: '6f9619ff-8b86-4011-b42d-00c04fc964ff' };
      const query = rowsAfter(mssql(PROSPECT_INDEX_TABLE).select('EventId').orderBy('SignUpDate', 'desc'), last, 'mssql');
      const { sql, bindings } = query.toSQL().toNative();
      expect(sql).to.equal('select [EventId] from [ProspectIndex] where ([SignUpDate] < @p0 or ([SignUpDate] = @p1 and [EventId] < @p2)) order by [SignUpDate] desc');
      expect(bindings).to.deep.equal(['2026-11-23T10:00:00.001', '2026-11-23T10:00:00.001', last.eventId]);
      // What knex hands the driver for each: a Date would go as the old datetime, which holds .000, .003, .007 only.
      const client = mssql.client as { _typeForBinding(binding: unknown): [unknown, { name: string }] };
      expect(bindings.map((binding) => client._typeForBinding(binding)[1].name)).to.deep.equal(['NVarChar', 'NVarChar', 'NVarChar']);
    });

    it('binds the date range and the stored time as the same exact text', function () {
      const { bindings } = applyAnalyticsFilter(mssql(PROSPECT_INDEX_TABLE).select('EventId'), { from: '2026-11-20', to: '2026-11-21' }, 'mssql').toSQL();
      expect(bindings).to.deep.equal(['2026-11-20T00:00:00.000', '2026-11-22T00:00:00.000']);
      expect(toProspectIndexRow(document, 'mssql').SignUpDate).to.equal('2026-11-23T23:59:59.999');
    });

    it('escapes "[" as well as "%" and "_" in the q pattern, and binds it', function () {
      expect(containsPattern('A[1]%_!', 'mssql')).to.equal('%a![1]!%!_!!%');
      const query = applyAnalyticsFilter(mssql(PROSPECT_INDEX_TABLE).select('EventId'), { q: "x'; drop table y --" }, 'mssql');
      const { sql, bindings } = query.toSQL().toNative();
      expect(sql).to.equal("select [EventId] from [ProspectIndex] where (lower([FullName]) like @p0 escape '!' or lower([CompanyName]) like @p1 escape '!' or lower([EmailAddress]) like @p2 escape '!')");
      expect(bindings).to.deep.equal(Array(3).fill("%x'; drop table y --%"));
    });
  });

  describe('the row', function () {
    it('carries the lower-cased event id and the UTC day of the sign-up', function () {
      const row = toProspectIndexRow(document, 'postgres');
      expect(row.EventId).to.equal(document.eventId.toLowerCase());
      expect(row.SignUpDay).to.equal('2026-11-23');
      expect(row.SignUpDate).to.be.instanceOf(Date);
      expect(toProspectIndexRow(document, 'sqlite').SignUpDate).to.equal('2026-11-23T23:59:59.999Z');
    });
  });

  describe('the filter', function () {
    const cases: [SqlDialect, string][] = [['sqlite', 'better-sqlite3'], ['postgres', 'pg'], ['mysql', 'mysql2']];
    for (const [dialect, client] of cases) {
      it(`bounds the time of a date range, or its day when asked, every value bound, with ${client}`, function () {
        const knex = compilerFor(client);
        const filter = { from: '2026-11-20', to: '2026-11-21', countryCode: 'GBR', roleCode: 'EN' };
        const byTime = applyAnalyticsFilter(knex(PROSPECT_INDEX_TABLE).select('EventId'), filter, dialect).toSQL();
        const byDay = applyAnalyticsFilter(knex(PROSPECT_INDEX_TABLE).select('EventId'), filter, dialect, 'SignUpDay').toSQL();
        for (const { sql } of [byTime, byDay]) expect(sql).to.not.match(/2026|GBR|EN'/);
        expect(byTime.sql).to.not.match(/SignUpDay/);
        expect(byDay.sql).to.not.match(/SignUpDate/);
        expect(byTime.bindings.map((value) => (value instanceof Date ? value.toISOString() : value))).to.deep.equal([
          '2026-11-20T00:00:00.000Z', '2026-11-22T00:00:00.000Z', 'GBR', 'EN',
        ]);
        expect(byDay.bindings).to.deep.equal(['2026-11-20', '2026-11-21', 'GBR', 'EN']);
      });
    }

    it('escapes the escape character, "%" and "_" and lower-cases q', function () {
      expect(containsPattern('100%_Pure!', 'postgres')).to.equal('%100!%!_pure!!%');
      expect(containsPattern('[a]', 'sqlite')).to.equal('%[a]%');
    });
  });
});
