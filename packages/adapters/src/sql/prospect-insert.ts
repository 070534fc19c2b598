import { ProspectNotStorableError, type ProspectSignedUpEvent } from '@signup/domain';
import type { Knex } from 'knex';
import type { SqlDialect } from './sql-dialect.js';

/** The columns a prospect is inserted with, in statement order. */
export const PROSPECT_COLUMNS = Object.freeze([
  'FirstName', 'LastName', 'CompanyName', 'EmailAddress', 'CountryCode', 'RoleCode', 'SignedUpAt', 'EventId',
] as const);

/** One `Prospects` row as bound to a statement. */
export type ProspectRow = Readonly<Record<(typeof PROSPECT_COLUMNS)[number], string | Date>>;

// Bound parameters per statement: SQL Server allows 2100, SQLite 32766, PostgreSQL and MySQL 65535.
const MAX_PARAMETERS: Readonly<Record<SqlDialect, number>> = { mssql: 2000, sqlite: 32_000, postgres: 32_000, mysql: 32_000 };
// PostgreSQL binds a batch as one array per column, so its statement size is bounded by rows, not parameters.
const MAX_POSTGRES_ROWS = 10_000;

/** How many bound parameters one statement may carry in this dialect, with a margin. */
export function maxParametersPerStatement(dialect: SqlDialect): number {
  return MAX_PARAMETERS[dialect];
}

/** How many prospects one insert statement may carry in this dialect. */
export function maxRowsPerInsert(dialect: SqlDialect): number {
  return dialect === 'postgres' ? MAX_POSTGRES_ROWS : Math.floor(MAX_PARAMETERS[dialect] / PROSPECT_COLUMNS.length);
}

/** The `EventId` an event is stored under: its correlation id in lower case, so letter case cannot split one event in two. */
export function eventIdOf(event: ProspectSignedUpEvent): string {
  return event.correlationId.toLowerCase();
}

/**
 * The row an event is stored as. `SignedUpAt` is bound as a Date (stored as UTC
 * by every driver's settings in `createKnex`), except for SQLite, which has no
 * date type and gets ISO 8601 text in UTC.
 *
 * @throws ProspectNotStorableError when `signedUpAt` is not a valid time.
 */
export function toProspectRow(event: ProspectSignedUpEvent, dialect: SqlDialect): ProspectRow {
  const signedUpAt = new Date(event.signedUpAt);
  if (Number.isNaN(signedUpAt.getTime())) {
    throw new ProspectNotStorableError(`Event ${event.correlationId} has no valid sign-up time.`);
  }
  const { prospect } = event;
  return {
    FirstName: prospect.firstName,
    LastName: prospect.lastName,
    CompanyName: prospect.companyName ?? '',
    EmailAddress: prospect.emailAddress,
    CountryCode: prospect.country.countryCode,
    RoleCode: prospect.role.roleCode,
    SignedUpAt: dialect === 'sqlite' ? signedUpAt.toISOString() : signedUpAt,
    EventId: eventIdOf(event),
  };
}

const placeholders = (rows: readonly ProspectRow[]): string =>
  rows.map(() => `(${PROSPECT_COLUMNS.map(() => '?').join(', ')})`).join(', ');

const bindingsOf = (rows: readonly ProspectRow[]): (string | Date)[] =>
  rows.flatMap((row) => PROSPECT_COLUMNS.map((column) => row[column]));

function sqlServerInsert(knex: Knex, rows: readonly ProspectRow[]): Knex.Raw {
  const columns = PROSPECT_COLUMNS.map((column) => `[${column}]`).join(', ');
  const selected = PROSPECT_COLUMNS.map((column) => `[v].[${column}]`).join(', ');
  // UPDLOCK + HOLDLOCK keep the key range locked between the check and the insert,
  // so two transactions inserting the same EventId queue instead of colliding.
  return knex.raw(
    `insert into [Prospects] (${columns}) output inserted.[EventId] `
    + `select ${selected} from (values ${placeholders(rows)}) as [v] (${columns}) `
    + 'where not exists (select 1 from [Prospects] as [p] with (updlock, holdlock) where [p].[EventId] = [v].[EventId])',
    bindingsOf(rows),
  );
}

function sqliteInsert(knex: Knex, rows: readonly ProspectRow[]): Knex.Raw {
  // A VALUES list rather than knex's "select ... union all", which SQLite caps at 500 rows.
  const columns = PROSPECT_COLUMNS.map((column) => `"${column}"`).join(', ');
  return knex.raw(
    `insert into "Prospects" (${columns}) values ${placeholders(rows)} on conflict ("EventId") do nothing returning "EventId"`,
    bindingsOf(rows),
  );
}

// The PostgreSQL type each column's array is cast to.
const POSTGRES_ARRAY_TYPES: Readonly<Record<(typeof PROSPECT_COLUMNS)[number], string>> = {
  FirstName: 'text[]', LastName: 'text[]', CompanyName: 'text[]', EmailAddress: 'text[]',
  CountryCode: 'text[]', RoleCode: 'text[]', SignedUpAt: 'timestamptz[]', EventId: 'text[]',
};

function postgresInsert(knex: Knex, rows: readonly ProspectRow[]): Knex.Raw {
  // One array per column instead of one parameter per value: eight parameters whatever the batch
  // size, and far less for the server to parse and plan than a VALUES list of thousands of rows.
  const columns = PROSPECT_COLUMNS.map((column) => `"${column}"`).join(', ');
  const arrays = PROSPECT_COLUMNS.map((column) => `?::${POSTGRES_ARRAY_TYPES[column]}`).join(', ');
  // Times stay Dates: the driver writes them with their offset in any year PostgreSQL takes,
  // where toISOString() would write years past 9999 in a form it refuses.
  const bindings = PROSPECT_COLUMNS.map((column) => rows.map((row) => row[column])) as unknown as Knex.RawBinding[];
  return knex.raw(
    `insert into "Prospects" (${columns}) select * from unnest(${arrays}) `
    + 'on conflict ("EventId") do nothing returning "ProspectId", "EventId"',
    bindings,
  );
}

/**
 * The single statement that inserts a batch of rows (at most `maxRowsPerInsert`),
 * skipping those whose `EventId` is already stored. PostgreSQL, SQLite and SQL
 * Server return the `EventId`s it inserted (PostgreSQL with their `ProspectId`);
 * MySQL returns nothing useful (its `ON DUPLICATE KEY UPDATE` is a no-op that,
 * unlike `INSERT IGNORE`, still fails on a foreign key violation).
 */
export function buildProspectInsert(knex: Knex, dialect: SqlDialect, rows: readonly ProspectRow[]): Knex.Raw | Knex.QueryBuilder {
  switch (dialect) {
    case 'mssql': return sqlServerInsert(knex, rows);
    case 'sqlite': return sqliteInsert(knex, rows);
    case 'postgres': return postgresInsert(knex, rows);
    case 'mysql': return knex('Prospects').insert([...rows]).onConflict('EventId').merge(['EventId']);
  }
}
