import { expect } from 'chai';
import knexFactory from 'knex';
import { after, describe, it } from 'mocha';
import { ALL_CODES } from '../../../src/sql/migrations/add-prospect-index-rollups.js';
import { buildRollupUpserts, rollupIncrements } from '../../../src/sql/prospect-index-rollups.js';
import { toProspectIndexRow } from '../../../src/sql/prospect-index-statements.js';

const base = {
  fullName: 'Ada Lovelace', emailAddress: 'ada@example.com', countryCode: 'GBR', countryName: 'United Kingdom',
  roleCode: 'EN', roleName: 'Engineer', signUpDate: new Date('2026-11-23T23:59:59.999Z'),
};

const row = (n: number, overrides: Partial<typeof base> & { companyName: string }) =>
  toProspectIndexRow({ ...base, eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, ...overrides }, 'postgres');

describe('ProspectIndex rollups (no server)', function () {
  describe('rollupIncrements', function () {
    it('counts rows per UTC day, country and role, and per company at four levels, leaving blank companies out', function () {
      const { days, companies } = rollupIncrements([
        row(1, { companyName: 'Navy' }),
        row(2, { companyName: 'Navy', roleCode: 'AC', roleName: 'Architect' }),
        row(3, { companyName: '', signUpDate: new Date('2026-11-24T00:00:00.000Z') }),
      ]);
      expect(days).to.deep.equal([
        { SignUpDay: '2026-11-23', CountryCode: 'GBR', CountryName: 'United Kingdom', RoleCode: 'AC', RoleName: 'Architect', SignUpCount: 1 },
        { SignUpDay: '2026-11-23', CountryCode: 'GBR', CountryName: 'United Kingdom', RoleCode: 'EN', RoleName: 'Engineer', SignUpCount: 1 },
        { SignUpDay: '2026-11-24', CountryCode: 'GBR', CountryName: 'United Kingdom', RoleCode: 'EN', RoleName: 'Engineer', SignUpCount: 1 },
      ]);
      expect(companies).to.deep.equal([
        { CountryCode: ALL_CODES, RoleCode: ALL_CODES, CompanyName: 'Navy', SignUpCount: 2 },
        { CountryCode: ALL_CODES, RoleCode: 'AC', CompanyName: 'Navy', SignUpCount: 1 },
        { CountryCode: ALL_CODES, RoleCode: 'EN', CompanyName: 'Navy', SignUpCount: 1 },
        { CountryCode: 'GBR', RoleCode: ALL_CODES, CompanyName: 'Navy', SignUpCount: 2 },
        { CountryCode: 'GBR', RoleCode: 'AC', CompanyName: 'Navy', SignUpCount: 1 },
        { CountryCode: 'GBR', RoleCode: 'EN', CompanyName: 'Navy', SignUpCount: 1 },
      ]);
    });
  });

  describe('buildRollupUpserts on SQL Server (compiled)', function () {
    const mssql = knexFactory({ client: 'mssql' });
    after(async function () {
      await mssql.destroy();
    });

    it('adds to existing counts with a MERGE that holds its key range, every value bound, under 2,100 parameters', function () {
      const inserted = Array.from({ length: 1000 }, (_, i) => row(i, { companyName: `Acme ${i}'--` }));
      const statements = buildRollupUpserts(mssql, 'mssql', rollupIncrements(inserted)).map((s) => s.toSQL().toNative());
      expect(statements.length).to.be.greaterThan(2);
      for (const { sql, bindings } of statements) {
        expect(sql).to.match(/^merge into \[ProspectIndex(Day|Company)Count\] with \(holdlock\)/);
        expect(sql).to.include('[t].[SignUpCount] = [t].[SignUpCount] + [v].[SignUpCount]');
        expect(sql).to.not.include('Acme');
        expect(bindings.length).to.be.at.most(2100);
      }
    });
  });
});
