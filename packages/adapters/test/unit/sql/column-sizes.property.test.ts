import { ReferenceData, validateProspect, type Prospect } from '@signup/domain';
import { expect } from 'chai';
import fc from 'fast-check';
import knexFactory, { type Knex } from 'knex';
import { after, describe, it } from 'mocha';
import { createProspectIndexTable } from '../../../src/sql/migrations/create-prospect-index-table.js';
import { createSignUpSchema } from '../../../src/sql/migrations/create-sign-up-schema.js';

/** How a dialect counts the length of a `varchar(n)`/`nvarchar(n)` value. */
type LengthUnit = (text: string) => number;
const utf16Units: LengthUnit = (text) => text.length;
const codePoints: LengthUnit = (text) => [...text].length;

// SQL Server's nvarchar counts UTF-16 units; PostgreSQL's varchar and MySQL's utf8mb4 varchar count
// characters (code points); SQLite does not enforce the size, so it is held to the strictest reading.
const DIALECTS: readonly { readonly client: string; readonly unit: LengthUnit }[] = [
  { client: 'mssql', unit: utf16Units },
  { client: 'pg', unit: codePoints },
  { client: 'mysql2', unit: codePoints },
  { client: 'sqlite3', unit: utf16Units },
];

/** The declared size of every sized text column of `table` in compiled DDL. */
function columnSizes(ddl: string, table: string): Map<string, number> {
  const create = ddl.split(/;\s*/u).find((statement) => /^create table [[`"]?(\w+)/iu.exec(statement)?.[1] === table);
  if (create === undefined) throw new Error(`no CREATE TABLE ${table} in ${ddl}`);
  const sizes = new Map<string, number>();
  for (const match of create.matchAll(/[[`"](\w+)[\]`"] n?varchar\((\d+)\)/giu)) sizes.set(match[1]!, Number(match[2]));
  return sizes;
}

const reference = ReferenceData.defaults();
const text = fc.string({ unit: fc.oneof(fc.constantFrom('😀', '𝔸', '𠜎', 'é', 'a', ' '), fc.string({ unit: 'grapheme', maxLength: 1 })), maxLength: 260 });

/** What each column stores for a valid prospect (docs/architecture.md, "The database schema"). */
function storedValues(prospect: Prospect): Record<string, Record<string, string>> {
  return {
    Prospects: {
      FirstName: prospect.firstName, LastName: prospect.lastName,
      CompanyName: prospect.companyName, EmailAddress: prospect.emailAddress,
    },
    ProspectIndex: {
      FullName: `${prospect.firstName} ${prospect.lastName}`,
      CompanyName: prospect.companyName, EmailAddress: prospect.emailAddress,
    },
  };
}

describe('Column sizes against validation (every dialect\'s DDL as compiled)', function () {
  const compilers: Knex[] = [];
  after(async function () {
    await Promise.all(compilers.map((knex) => knex.destroy()));
  });

  for (const { client, unit } of DIALECTS) {
    it(`fits anything validation accepts into the Prospects and ProspectIndex columns of ${client}`, function () {
      const knex = knexFactory({ client, useNullAsDefault: true });
      compilers.push(knex);
      const ddl = `${createSignUpSchema(knex).toString()};\n${createProspectIndexTable(knex).toString()}`;
      const sizes = { Prospects: columnSizes(ddl, 'Prospects'), ProspectIndex: columnSizes(ddl, 'ProspectIndex') };
      expect(sizes.Prospects.get('FirstName'), ddl).to.be.a('number');
      expect(sizes.ProspectIndex.get('FullName'), ddl).to.be.a('number');

      fc.assert(fc.property(text, text, text, fc.string({ unit: fc.constantFrom('😀', 'é', 'a'), minLength: 1, maxLength: 130 }),
        (firstName, lastName, companyName, localPart) => {
          let prospect: Prospect;
          try {
            prospect = validateProspect({ firstName, lastName, companyName, emailAddress: `${localPart.slice(0, 64)}@example.com` }, reference);
          } catch {
            return;
          }
          for (const [table, values] of Object.entries(storedValues(prospect))) {
            for (const [column, value] of Object.entries(values)) {
              const size = sizes[table as keyof typeof sizes].get(column);
              expect(size, `${table}.${column} in ${ddl}`).to.be.a('number');
              expect(unit(value), `${table}.${column} (${client}, size ${size}) holding ${JSON.stringify(value)}`).to.be.at.most(size!);
            }
          }
        }), { numRuns: 300, examples: [['😀'.repeat(100), 'Lovelace', '😀'.repeat(200), 'ada']] });
    });
  }
});
