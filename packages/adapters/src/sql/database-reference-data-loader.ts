import { DatabaseUnavailableError, ReferenceData, type IReferenceDataLoader } from '@signup/domain';
import { inject, injectable } from 'inversify';
import type { Knex } from 'knex';
import { SqlConnection } from './sql-connection.js';
import { translateSqlError } from './translate-sql-error.js';

/**
 * Reads the countries and roles from the `Countries` and `Roles` tables, in
 * display order ("--Not telling" first, then by name). Reads on every call;
 * wrap it in `CachingReferenceDataLoader` to load once.
 *
 * @throws DatabaseUnavailableError when the database cannot be reached, or the tables are empty (not seeded yet).
 */
@injectable()
export class DatabaseReferenceDataLoader implements IReferenceDataLoader {
  constructor(@inject(SqlConnection) private readonly knex: Knex) {}

  async load(): Promise<ReferenceData> {
    let countries: { CountryCode: string; CountryName: string }[];
    let roles: { RoleCode: string; RoleName: string }[];
    try {
      countries = await this.knex('Countries').select('CountryCode', 'CountryName');
      roles = await this.knex('Roles').select('RoleCode', 'RoleName');
    } catch (error) {
      throw translateSqlError(error);
    }
    if (countries.length === 0 || roles.length === 0) {
      throw new DatabaseUnavailableError('The database has no countries or roles yet: run the migrations (Database:Migrate=true).');
    }
    return new ReferenceData(
      countries.map((row) => ({ countryCode: row.CountryCode, countryName: row.CountryName })),
      roles.map((row) => ({ roleCode: row.RoleCode, roleName: row.RoleName })),
    );
  }
}
