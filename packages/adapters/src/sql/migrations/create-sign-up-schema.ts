import { PROSPECT_LIMITS } from '@signup/domain';
import type { Knex } from 'knex';
import { sqlDialectOf } from '../sql-dialect.js';
import type { SignUpMigration } from './sign-up-migration.js';

/** Longest country or role code the schema accepts. */
export const REFERENCE_CODE_LENGTH = 10;
/** Longest country or role name the schema accepts. */
export const REFERENCE_NAME_LENGTH = 100;
/** Length of a correlation id (a UUID) in its canonical text form. */
export const EVENT_ID_LENGTH = 36;

/**
 * Adds the tables of docs/architecture.md ("The database schema") to a schema builder: `Countries`, `Roles` and
 * `Prospects` (identity `ProspectId`, unique `EventId`, foreign keys to both
 * reference tables). The same schema for every dialect; MySQL tables use utf8mb4.
 */
export function createSignUpSchema(knex: Knex, schema: Knex.SchemaBuilder = knex.schema): Knex.SchemaBuilder {
  const mysql = sqlDialectOf(knex) === 'mysql';
  return schema
    .createTable('Countries', (table) => {
      if (mysql) table.charset('utf8mb4');
      table.string('CountryCode', REFERENCE_CODE_LENGTH).notNullable().primary('PK_Countries');
      table.string('CountryName', REFERENCE_NAME_LENGTH).notNullable();
    })
    .createTable('Roles', (table) => {
      if (mysql) table.charset('utf8mb4');
      table.string('RoleCode', REFERENCE_CODE_LENGTH).notNullable().primary('PK_Roles');
      table.string('RoleName', REFERENCE_NAME_LENGTH).notNullable();
    })
    .createTable('Prospects', (table) => {
      if (mysql) table.charset('utf8mb4');
      table.increments('ProspectId', { primaryKey: true });
      table.string('FirstName', PROSPECT_LIMITS.name).notNullable();
      table.string('LastName', PROSPECT_LIMITS.name).notNullable();
      table.string('CompanyName', PROSPECT_LIMITS.companyName).notNullable();
      table.string('EmailAddress', PROSPECT_LIMITS.emailAddress).notNullable();
      table.string('CountryCode', REFERENCE_CODE_LENGTH).notNullable();
      table.string('RoleCode', REFERENCE_CODE_LENGTH).notNullable();
      table.datetime('SignedUpAt', { precision: 3 }).notNullable();
      table.string('EventId', EVENT_ID_LENGTH).notNullable();
      table.unique(['EventId'], { indexName: 'UQ_Prospects_EventId', useConstraint: true });
      table.foreign('CountryCode', 'FK_Prospects_Countries').references('CountryCode').inTable('Countries');
      table.foreign('RoleCode', 'FK_Prospects_Roles').references('RoleCode').inTable('Roles');
    });
}

/** The first migration: the SignUp schema. */
export const createSignUpSchemaMigration: SignUpMigration = {
  name: '20261123000000_create_signup_schema',
  async up(knex: Knex): Promise<void> {
    await createSignUpSchema(knex);
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable('Prospects').dropTable('Roles').dropTable('Countries');
  },
};
