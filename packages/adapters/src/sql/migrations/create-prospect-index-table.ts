import { PROSPECT_LIMITS } from '@signup/domain';
import type { Knex } from 'knex';
import { sqlDialectOf } from '../sql-dialect.js';
import { EVENT_ID_LENGTH, REFERENCE_CODE_LENGTH, REFERENCE_NAME_LENGTH } from './create-sign-up-schema.js';
import type { SignUpMigration } from './sign-up-migration.js';

/** The analytics read model's table: written by the index handler only, read by the dashboard. */
export const PROSPECT_INDEX_TABLE = 'ProspectIndex';

/** A full name is the first and last name with a space between. */
const FULL_NAME_LENGTH = PROSPECT_LIMITS.name * 2 + 1;

/**
 * Adds the `ProspectIndex` table (docs/analytics.md): one row per sign-up with the
 * fields of the original `prospects` index, the codes, the event id (unique) and the
 * UTC day as `YYYY-MM-DD` text, so every dialect groups and filters days alike.
 * Its indexes serve the dashboard: the list newest first (`SignUpDate`, `EventId`),
 * the summary's one grouping over days, countries and roles (covered by one index),
 * the country and role filters in list order, and the top companies.
 */
export function createProspectIndexTable(knex: Knex, schema: Knex.SchemaBuilder = knex.schema): Knex.SchemaBuilder {
  const mysql = sqlDialectOf(knex) === 'mysql';
  return schema.createTable(PROSPECT_INDEX_TABLE, (table) => {
    if (mysql) table.charset('utf8mb4');
    table.bigIncrements('ProspectIndexId', { primaryKey: true });
    table.string('EventId', EVENT_ID_LENGTH).notNullable();
    table.string('FullName', FULL_NAME_LENGTH).notNullable();
    table.string('CompanyName', PROSPECT_LIMITS.companyName).notNullable();
    table.string('EmailAddress', PROSPECT_LIMITS.emailAddress).notNullable();
    table.string('CountryCode', REFERENCE_CODE_LENGTH).notNullable();
    table.string('CountryName', REFERENCE_NAME_LENGTH).notNullable();
    table.string('RoleCode', REFERENCE_CODE_LENGTH).notNullable();
    table.string('RoleName', REFERENCE_NAME_LENGTH).notNullable();
    table.datetime('SignUpDate', { precision: 3 }).notNullable();
    table.string('SignUpDay', 10).notNullable();
    table.unique(['EventId'], { indexName: 'UQ_ProspectIndex_EventId', useConstraint: true });
    table.index(['SignUpDate', 'EventId'], 'IX_ProspectIndex_SignUpDate');
    table.index(['SignUpDay', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName'], 'IX_ProspectIndex_SignUpDay');
    table.index(['CountryCode', 'SignUpDate', 'EventId'], 'IX_ProspectIndex_CountryCode');
    table.index(['RoleCode', 'SignUpDate', 'EventId'], 'IX_ProspectIndex_RoleCode');
    table.index(['CompanyName'], 'IX_ProspectIndex_CompanyName');
  });
}

/** The second migration: the analytics read model. */
export const createProspectIndexTableMigration: SignUpMigration = {
  name: '20261130000000_create_prospect_index',
  async up(knex: Knex): Promise<void> {
    await createProspectIndexTable(knex);
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable(PROSPECT_INDEX_TABLE);
  },
};
