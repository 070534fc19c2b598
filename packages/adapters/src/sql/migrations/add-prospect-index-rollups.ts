import { PROSPECT_LIMITS } from '@signup/domain';
import type { Knex } from 'knex';
import { sqlDialectOf } from '../sql-dialect.js';
import { PROSPECT_INDEX_TABLE } from './create-prospect-index-table.js';
import { REFERENCE_CODE_LENGTH, REFERENCE_NAME_LENGTH } from './create-sign-up-schema.js';
import type { SignUpMigration } from './sign-up-migration.js';

/** Sign-ups counted per UTC day, country and role: the summary's charts and the list's total without `q`. */
export const PROSPECT_DAY_COUNT_TABLE = 'ProspectIndexDayCount';

/**
 * Sign-ups counted per company, for every country and role and for all of them
 * (`ALL_CODES` in `CountryCode` or `RoleCode`): the top companies without `q` or dates.
 */
export const PROSPECT_COMPANY_COUNT_TABLE = 'ProspectIndexCompanyCount';

/** The code a company count row carries for "every country" or "every role"; no reference code is empty. */
export const ALL_CODES = '';

/**
 * The text the PostgreSQL trigram index covers: full name, company and email, lower
 * case. A `q` pattern that one of the three contains is contained in it too, so a
 * query may add `<this> like pattern` to reach the index and keep the exact
 * per-column test beside it.
 */
export const POSTGRES_SEARCH_TEXT = `lower("FullName" || ' ' || "CompanyName" || ' ' || "EmailAddress")`;

const DAY_KEY = ['SignUpDay', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName'] as const;
const COMPANY_KEY = ['CountryCode', 'RoleCode', 'CompanyName'] as const;

/** Creates the trigram index when `pg_trgm` can be created; without it `q` still works, by reading every row. */
async function addPostgresSearchIndex(knex: Knex): Promise<void> {
  try {
    // A savepoint: a refused extension must not abort the migration's transaction.
    await knex.transaction(async (trx) => {
      await trx.raw('create extension if not exists pg_trgm');
    });
  } catch {
    return;
  }
  await knex.raw(`create index "IX_ProspectIndex_Search" on ?? using gin ((${POSTGRES_SEARCH_TEXT}) gin_trgm_ops)`, [PROSPECT_INDEX_TABLE]);
}

/**
 * Adds the analytics rollups (docs/analytics.md): per-day counts by country and role,
 * and per-company counts by country and role, filled from the rows already indexed.
 * Replaces the summary's grouping index and the company index of `ProspectIndex`,
 * which the rollups make unused, with one for the top companies under a date range,
 * and on PostgreSQL adds a trigram index for `q`.
 */
export const addProspectIndexRollupsMigration: SignUpMigration = {
  name: '20261130010000_add_prospect_index_rollups',
  async up(knex: Knex): Promise<void> {
    const dialect = sqlDialectOf(knex);
    await knex.schema.createTable(PROSPECT_DAY_COUNT_TABLE, (table) => {
      if (dialect === 'mysql') table.charset('utf8mb4');
      table.string('SignUpDay', 10).notNullable();
      table.string('CountryCode', REFERENCE_CODE_LENGTH).notNullable();
      table.string('CountryName', REFERENCE_NAME_LENGTH).notNullable();
      table.string('RoleCode', REFERENCE_CODE_LENGTH).notNullable();
      table.string('RoleName', REFERENCE_NAME_LENGTH).notNullable();
      table.bigInteger('SignUpCount').notNullable();
      table.primary([...DAY_KEY], 'PK_ProspectIndexDayCount');
    });
    await knex.schema.createTable(PROSPECT_COMPANY_COUNT_TABLE, (table) => {
      if (dialect === 'mysql') table.charset('utf8mb4');
      table.string('CountryCode', REFERENCE_CODE_LENGTH).notNullable();
      table.string('RoleCode', REFERENCE_CODE_LENGTH).notNullable();
      table.string('CompanyName', PROSPECT_LIMITS.companyName).notNullable();
      table.bigInteger('SignUpCount').notNullable();
      table.primary([...COMPANY_KEY], 'PK_ProspectIndexCompanyCount');
    });
    await knex.raw(
      `insert into ?? (${DAY_KEY.map(() => '??').join(', ')}, ??) select ${DAY_KEY.map(() => '??').join(', ')}, count(*) from ?? group by ${DAY_KEY.map(() => '??').join(', ')}`,
      [PROSPECT_DAY_COUNT_TABLE, ...DAY_KEY, 'SignUpCount', ...DAY_KEY, PROSPECT_INDEX_TABLE, ...DAY_KEY],
    );
    const levels: readonly [string, string][] = [['??', '??'], ['??', '?'], ['?', '??'], ['?', '?']];
    for (const [country, role] of levels) {
      const bindings = [
        PROSPECT_COMPANY_COUNT_TABLE, ...COMPANY_KEY, 'SignUpCount',
        country === '??' ? 'CountryCode' : ALL_CODES, role === '??' ? 'RoleCode' : ALL_CODES, 'CompanyName',
        PROSPECT_INDEX_TABLE, 'CompanyName', '', 'CompanyName',
      ];
      if (country === '??') bindings.push('CountryCode');
      if (role === '??') bindings.push('RoleCode');
      const groups = ['??', country === '??' ? '??' : undefined, role === '??' ? '??' : undefined].filter((g) => g !== undefined);
      await knex.raw(
        `insert into ?? (??, ??, ??, ??) select ${country}, ${role}, ??, count(*) from ?? where ?? <> ? group by ${groups.join(', ')}`,
        bindings,
      );
    }
    await knex.schema.alterTable(PROSPECT_INDEX_TABLE, (table) => {
      table.dropIndex([...DAY_KEY], 'IX_ProspectIndex_SignUpDay');
      table.dropIndex(['CompanyName'], 'IX_ProspectIndex_CompanyName');
      table.index(['SignUpDay', 'CountryCode', 'RoleCode', 'CompanyName'], 'IX_ProspectIndex_SignUpDayCompany');
    });
    if (dialect === 'postgres') await addPostgresSearchIndex(knex);
  },
  async down(knex: Knex): Promise<void> {
    await knex.raw('drop index if exists "IX_ProspectIndex_Search"').catch(() => undefined);
    await knex.schema.alterTable(PROSPECT_INDEX_TABLE, (table) => {
      table.dropIndex(['SignUpDay', 'CountryCode', 'RoleCode', 'CompanyName'], 'IX_ProspectIndex_SignUpDayCompany');
      table.index([...DAY_KEY], 'IX_ProspectIndex_SignUpDay');
      table.index(['CompanyName'], 'IX_ProspectIndex_CompanyName');
    });
    await knex.schema.dropTable(PROSPECT_COMPANY_COUNT_TABLE);
    await knex.schema.dropTable(PROSPECT_DAY_COUNT_TABLE);
  },
};
