import type { AnalyticsFilter } from '@signup/domain';
import type { Knex } from 'knex';
import { ALL_CODES, PROSPECT_COMPANY_COUNT_TABLE, PROSPECT_DAY_COUNT_TABLE } from './migrations/add-prospect-index-rollups.js';
import { maxParametersPerStatement } from './prospect-insert.js';
import type { ProspectIndexRow } from './prospect-index-statements.js';
import type { SqlDialect } from './sql-dialect.js';

const DAY_KEY = ['SignUpDay', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName'] as const;
const COMPANY_KEY = ['CountryCode', 'RoleCode', 'CompanyName'] as const;

/** One row of a rollup: its key columns and how many sign-ups to add to its count. */
type CountRow = Readonly<Record<string, string | number>>;

/** The rollup rows a set of newly inserted `ProspectIndex` rows adds to. */
export interface RollupIncrements {
  readonly days: readonly CountRow[];
  readonly companies: readonly CountRow[];
}

function tally(counts: Map<string, Record<string, string | number>>, key: Record<string, string>): void {
  const id = Object.values(key).join('\n');
  const row = counts.get(id);
  if (row === undefined) counts.set(id, { ...key, SignUpCount: 1 });
  else row.SignUpCount = (row.SignUpCount as number) + 1;
}

const byKey = (columns: readonly string[]) => (a: CountRow, b: CountRow): number => {
  for (const column of columns) {
    if (a[column]! < b[column]!) return -1;
    if (a[column]! > b[column]!) return 1;
  }
  return 0;
};

/**
 * What rows just inserted add to the rollups: one per day, country and role, and per
 * non-blank company at each of four levels (country and role, country, role, all),
 * sorted by key so concurrent writers lock rollup rows in the same order.
 */
export function rollupIncrements(inserted: readonly ProspectIndexRow[]): RollupIncrements {
  const days = new Map<string, Record<string, string | number>>();
  const companies = new Map<string, Record<string, string | number>>();
  for (const row of inserted) {
    const [day, country, countryName, role, roleName, company] = [
      row.SignUpDay, row.CountryCode, row.CountryName, row.RoleCode, row.RoleName, row.CompanyName,
    ].map(String) as [string, string, string, string, string, string];
    tally(days, { SignUpDay: day, CountryCode: country, CountryName: countryName, RoleCode: role, RoleName: roleName });
    if (company === '') continue;
    for (const [c, r] of [[country, role], [country, ALL_CODES], [ALL_CODES, role], [ALL_CODES, ALL_CODES]] as const) {
      tally(companies, { CountryCode: c, RoleCode: r, CompanyName: company });
    }
  }
  return {
    days: [...days.values()].sort(byKey(DAY_KEY)),
    companies: [...companies.values()].sort(byKey(COMPANY_KEY)),
  };
}

/** The statements that add counts to one rollup, each within the dialect's parameter limit. */
function buildCountUpserts(knex: Knex, dialect: SqlDialect, table: string, key: readonly string[], rows: readonly CountRow[]): (Knex.Raw | Knex.QueryBuilder)[] {
  const columns = [...key, 'SignUpCount'];
  const size = Math.floor(maxParametersPerStatement(dialect) / columns.length);
  const statements: (Knex.Raw | Knex.QueryBuilder)[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size);
    if (dialect === 'mssql') {
      const values = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
      const names = columns.map((c) => `[${c}]`).join(', ');
      statements.push(knex.raw(
        `merge into [${table}] with (holdlock) as [t] using (values ${values}) as [v] (${names}) on ${key.map((c) => `[t].[${c}] = [v].[${c}]`).join(' and ')} `
        + 'when matched then update set [t].[SignUpCount] = [t].[SignUpCount] + [v].[SignUpCount] '
        + `when not matched then insert (${names}) values (${columns.map((c) => `[v].[${c}]`).join(', ')});`,
        chunk.flatMap((row) => columns.map((c) => row[c]!)),
      ));
    } else if (dialect === 'mysql') {
      statements.push(knex(table).insert([...chunk]).onConflict([...key]).merge({ SignUpCount: knex.raw('?? + values(??)', ['SignUpCount', 'SignUpCount']) }));
    } else {
      // A values list: knex writes SQLite's multi-row insert as a compound select, which SQLite caps at 500 terms.
      const values = chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
      statements.push(knex.raw(
        `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${values} on conflict (${key.map((c) => `"${c}"`).join(', ')}) `
        + `do update set "SignUpCount" = "${table}"."SignUpCount" + excluded."SignUpCount"`,
        chunk.flatMap((row) => columns.map((c) => row[c]!)),
      ));
    }
  }
  return statements;
}

/**
 * Adds the counts of rows just inserted into `ProspectIndex` to both rollups, as
 * upserts (SQLite and PostgreSQL `on conflict do update`, MySQL `on duplicate key
 * update`, SQL Server `merge … with (holdlock)`). Run it in the insert's transaction.
 */
export async function addToRollups(trx: Knex, dialect: SqlDialect, inserted: readonly ProspectIndexRow[]): Promise<void> {
  for (const statement of buildRollupUpserts(trx, dialect, rollupIncrements(inserted))) await statement;
}

/** The upserts that add increments to the day rollup, then the company rollup, each within the parameter limit. */
export function buildRollupUpserts(knex: Knex, dialect: SqlDialect, { days, companies }: RollupIncrements): (Knex.Raw | Knex.QueryBuilder)[] {
  return [
    ...buildCountUpserts(knex, dialect, PROSPECT_DAY_COUNT_TABLE, DAY_KEY, days),
    ...buildCountUpserts(knex, dialect, PROSPECT_COMPANY_COUNT_TABLE, COMPANY_KEY, companies),
  ];
}

/** The date range, country and role of a filter on the day rollup (its days are whole UTC days, as `from` and `to`). */
export function applyDayCountFilter(query: Knex.QueryBuilder, filter: AnalyticsFilter): Knex.QueryBuilder {
  if (filter.from !== undefined) query.where('SignUpDay', '>=', filter.from);
  if (filter.to !== undefined) query.where('SignUpDay', '<=', filter.to);
  if (filter.countryCode !== undefined) query.where('CountryCode', filter.countryCode);
  if (filter.roleCode !== undefined) query.where('RoleCode', filter.roleCode);
  return query;
}

/** The company rollup's slice for a filter's country and role (`ALL_CODES` where the filter has none). */
export function applyCompanyCountFilter(query: Knex.QueryBuilder, filter: AnalyticsFilter): Knex.QueryBuilder {
  return query.where('CountryCode', filter.countryCode ?? ALL_CODES).where('RoleCode', filter.roleCode ?? ALL_CODES);
}
