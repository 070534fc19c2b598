import type { AnalyticsFilter, IndexedProspect } from '@signup/domain';
import type { Knex } from 'knex';
import { POSTGRES_SEARCH_TEXT } from './migrations/add-prospect-index-rollups.js';
import { PROSPECT_INDEX_TABLE } from './migrations/create-prospect-index-table.js';
import { maxParametersPerStatement } from './prospect-insert.js';
import type { SqlDialect } from './sql-dialect.js';

/** The columns a `ProspectIndex` row is inserted with, in statement order. */
export const PROSPECT_INDEX_COLUMNS = Object.freeze([
  'EventId', 'FullName', 'CompanyName', 'EmailAddress', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName',
  'SignUpDate', 'SignUpDay',
] as const);

type Column = (typeof PROSPECT_INDEX_COLUMNS)[number];

/** One `ProspectIndex` row as bound to a statement. */
export type ProspectIndexRow = Readonly<Record<Column, string | Date>>;

// PostgreSQL binds one array per column, so its statement size is bounded by rows, not parameters.
const MAX_POSTGRES_ROWS = 10_000;

/** How many documents one insert statement may carry in this dialect. */
export function maxIndexRowsPerInsert(dialect: SqlDialect): number {
  return dialect === 'postgres' ? MAX_POSTGRES_ROWS : Math.floor(maxParametersPerStatement(dialect) / PROSPECT_INDEX_COLUMNS.length);
}

/** A time as bound in this dialect: ISO 8601 UTC text for SQLite (no date type), a Date elsewhere. */
export function boundTime(date: Date, dialect: SqlDialect): string | Date {
  return dialect === 'sqlite' ? date.toISOString() : date;
}

/** The row a document is stored as; the event id in lower case, as in `Prospects`. */
export function toProspectIndexRow(prospect: IndexedProspect, dialect: SqlDialect): ProspectIndexRow {
  const signUpDate = new Date(prospect.signUpDate);
  return {
    EventId: prospect.eventId.toLowerCase(),
    FullName: prospect.fullName,
    CompanyName: prospect.companyName,
    EmailAddress: prospect.emailAddress,
    CountryCode: prospect.countryCode,
    CountryName: prospect.countryName,
    RoleCode: prospect.roleCode,
    RoleName: prospect.roleName,
    SignUpDate: boundTime(signUpDate, dialect),
    SignUpDay: signUpDate.toISOString().slice(0, 10),
  };
}

const POSTGRES_ARRAY_TYPES: Readonly<Record<Column, string>> = {
  EventId: 'text[]', FullName: 'text[]', CompanyName: 'text[]', EmailAddress: 'text[]', CountryCode: 'text[]',
  CountryName: 'text[]', RoleCode: 'text[]', RoleName: 'text[]', SignUpDate: 'timestamptz[]', SignUpDay: 'text[]',
};

const quoted = (dialect: SqlDialect, name: string): string => (dialect === 'mssql' ? `[${name}]` : `"${name}"`);

/**
 * The single statement that inserts a batch of rows (at most `maxIndexRowsPerInsert`),
 * skipping rows whose `EventId` is already stored: PostgreSQL binds one array per
 * column (`unnest`), SQLite uses `on conflict do nothing`, both returning the event
 * ids they inserted; MySQL `on duplicate key update` as a no-op, SQL Server an
 * `insert ... select ... where not exists` under a key-range lock.
 */
export function buildProspectIndexInsert(knex: Knex, dialect: SqlDialect, rows: readonly ProspectIndexRow[]): Knex.Raw | Knex.QueryBuilder {
  if (dialect === 'mysql') return knex(PROSPECT_INDEX_TABLE).insert([...rows]).onConflict('EventId').merge(['EventId']);
  const table = quoted(dialect, PROSPECT_INDEX_TABLE);
  const columns = PROSPECT_INDEX_COLUMNS.map((column) => quoted(dialect, column)).join(', ');
  if (dialect === 'postgres') {
    const arrays = PROSPECT_INDEX_COLUMNS.map((column) => `?::${POSTGRES_ARRAY_TYPES[column]}`).join(', ');
    const bindings = PROSPECT_INDEX_COLUMNS.map((column) => rows.map((row) => row[column])) as unknown as Knex.RawBinding[];
    return knex.raw(`insert into ${table} (${columns}) select * from unnest(${arrays}) on conflict ("EventId") do nothing returning "EventId"`, bindings);
  }
  const values = rows.map(() => `(${PROSPECT_INDEX_COLUMNS.map(() => '?').join(', ')})`).join(', ');
  const bindings = rows.flatMap((row) => PROSPECT_INDEX_COLUMNS.map((column) => row[column]));
  if (dialect === 'sqlite') {
    return knex.raw(`insert into ${table} (${columns}) values ${values} on conflict ("EventId") do nothing returning "EventId"`, bindings);
  }
  const selected = PROSPECT_INDEX_COLUMNS.map((column) => `[v].[${column}]`).join(', ');
  return knex.raw(
    `insert into ${table} (${columns}) select ${selected} from (values ${values}) as [v] (${columns}) `
    + `where not exists (select 1 from ${table} as [p] with (updlock, holdlock) where [p].[EventId] = [v].[EventId])`,
    bindings,
  );
}

/** The character that escapes `%`, `_` (and on SQL Server `[`) in a LIKE pattern: the same in every dialect's string syntax. */
const LIKE_ESCAPE = '!';

/**
 * A LIKE pattern that matches `text` as a substring, lower-cased, with the
 * pattern characters of the dialect escaped so the text is matched literally.
 */
export function containsPattern(text: string, dialect: SqlDialect): string {
  const special = dialect === 'mssql' ? /[!%_[]/g : /[!%_]/g;
  return `%${text.toLowerCase().replace(special, (c) => `${LIKE_ESCAPE}${c}`)}%`;
}

/** The first millisecond of a UTC day `YYYY-MM-DD`, and of the day after it. */
function dayBounds(day: string): { start: Date; next: Date } {
  const start = new Date(`${day}T00:00:00.000Z`);
  return { start, next: new Date(start.getTime() + 24 * 60 * 60 * 1000) };
}

/** The column a date range bounds: the day text or the time, whichever the query's index leads with. */
export type DayColumn = 'SignUpDay' | 'SignUpDate';

/**
 * Adds the dashboard's filters to a query on `ProspectIndex`, as bound parameters.
 * A date range bounds one column, `days` (bounding both would make the planner
 * combine two indexes); `q` is a case-insensitive LIKE over full name, company and
 * email with its pattern characters escaped, on PostgreSQL also tested against the
 * trigram-indexed text of the three, which a match on any of them implies.
 */
export function applyAnalyticsFilter(query: Knex.QueryBuilder, filter: AnalyticsFilter, dialect: SqlDialect, days: DayColumn = 'SignUpDate'): Knex.QueryBuilder {
  if (days === 'SignUpDay') {
    if (filter.from !== undefined) query.where('SignUpDay', '>=', filter.from);
    if (filter.to !== undefined) query.where('SignUpDay', '<=', filter.to);
  } else {
    if (filter.from !== undefined) query.where('SignUpDate', '>=', boundTime(dayBounds(filter.from).start, dialect));
    if (filter.to !== undefined) query.where('SignUpDate', '<', boundTime(dayBounds(filter.to).next, dialect));
  }
  if (filter.countryCode !== undefined) query.where('CountryCode', filter.countryCode);
  if (filter.roleCode !== undefined) query.where('RoleCode', filter.roleCode);
  if (filter.q !== undefined && filter.q !== '') {
    const pattern = containsPattern(filter.q, dialect);
    if (dialect === 'postgres') query.whereRaw(`${POSTGRES_SEARCH_TEXT} like ? escape '${LIKE_ESCAPE}'`, [pattern]);
    query.where((any) => {
      for (const column of ['FullName', 'CompanyName', 'EmailAddress']) {
        any.orWhereRaw(`lower(??) like ? escape '${LIKE_ESCAPE}'`, [column, pattern]);
      }
    });
  }
  return query;
}
