import { DEFAULT_COUNTRIES, DEFAULT_ROLES, type Country, type Role } from '@signup/domain';
import type { Knex } from 'knex';
import { sqlDialectOf } from './sql-dialect.js';

/** The countries and roles `seedReferenceData` writes. */
export interface ReferenceDataSeed {
  readonly countries: readonly Country[];
  readonly roles: readonly Role[];
}

interface ReferenceTable {
  readonly table: 'Countries' | 'Roles';
  readonly code: 'CountryCode' | 'RoleCode';
  readonly name: 'CountryName' | 'RoleName';
  /** Code and name of each row. */
  readonly rows: readonly (readonly [string, string])[];
}

/** SQL Server has no ON CONFLICT: one MERGE per table, holding the key range so concurrent seeds queue. */
function mergeStatement(knex: Knex, { table, code, name, rows }: ReferenceTable): Knex.Raw {
  const values = rows.map(() => '(?, ?)').join(', ');
  const bindings = rows.flat();
  return knex.raw(
    `merge into ?? with (holdlock) as [target] using (values ${values}) as [source] (??, ??) `
    + 'on [target].?? = [source].?? '
    + 'when matched and [target].?? <> [source].?? then update set ?? = [source].?? '
    + 'when not matched then insert (??, ??) values ([source].??, [source].??);',
    [table, ...bindings, code, name, code, code, name, name, name, name, code, name, code, name],
  );
}

/** The statements that upsert the reference data, one per table (exposed for compiling in tests). */
export function referenceDataUpserts(knex: Knex, seed: ReferenceDataSeed = { countries: DEFAULT_COUNTRIES, roles: DEFAULT_ROLES }): (Knex.Raw | Knex.QueryBuilder)[] {
  const tables: ReferenceTable[] = [
    { table: 'Countries', code: 'CountryCode', name: 'CountryName', rows: seed.countries.map((c) => [c.countryCode, c.countryName] as const) },
    { table: 'Roles', code: 'RoleCode', name: 'RoleName', rows: seed.roles.map((r) => [r.roleCode, r.roleName] as const) },
  ];
  const mssql = sqlDialectOf(knex) === 'mssql';
  return tables
    .filter((t) => t.rows.length > 0)
    .map((t) => (mssql ? mergeStatement(knex, t) : knex(t.table).insert(t.rows.map(([code, name]) => ({ [t.code]: code, [t.name]: name }))).onConflict(t.code).merge([t.name])));
}

/**
 * Inserts the original app's countries and roles (or the given ones) and puts
 * back their names where they differ; rows with other codes are left alone.
 * Idempotent, one transaction, safe to run from several processes at once.
 * Driver errors are not translated here (see `migrateDatabase`).
 */
export async function seedReferenceData(knex: Knex, seed?: ReferenceDataSeed): Promise<void> {
  await knex.transaction(async (trx) => {
    for (const statement of referenceDataUpserts(trx, seed)) await statement;
  });
}
