import {
  TOP_COMPANIES,
  type AnalyticsFilter, type AnalyticsProspect, type AnalyticsProspectPage, type AnalyticsSummary, type IndexedProspect,
  type IndexItemResult, type IProspectAnalytics, type IProspectIndex, type PageRequest,
} from '@signup/domain';
import { inject, injectable, unmanaged } from 'inversify';
import type { Knex } from 'knex';
import { PROSPECT_COMPANY_COUNT_TABLE, PROSPECT_DAY_COUNT_TABLE } from './migrations/add-prospect-index-rollups.js';
import { PROSPECT_INDEX_TABLE } from './migrations/create-prospect-index-table.js';
import { addToRollups, applyCompanyCountFilter, applyDayCountFilter } from './prospect-index-rollups.js';
import {
  applyAnalyticsFilter, boundTime, buildProspectIndexInsert, maxIndexRowsPerInsert, toProspectIndexRow, type ProspectIndexRow,
} from './prospect-index-statements.js';
import { sqlDialectOf, type SqlDialect } from './sql-dialect.js';
import { isDeadlock, translateSqlError } from './translate-sql-error.js';

/**
 * The knex instance of `ConnectionStrings:AnalyticsDb`, where `SqlProspectIndex`
 * keeps its table; the same instance as `SqlConnection` when the key is unset.
 */
export type AnalyticsSqlConnection = Knex;
export const AnalyticsSqlConnection: unique symbol = Symbol.for('signup.AnalyticsSqlConnection');

/** Options of `SqlProspectIndex`. */
export interface SqlProspectIndexOptions {
  /** How many rows `stream` reads per statement. Default 1000. */
  readonly streamChunkSize?: number;
}

const DEFAULT_STREAM_CHUNK = 1000;

/** How many times a batch is written when the database breaks a deadlock by rolling it back. */
const DEADLOCK_ATTEMPTS = 5;

const LIST_COLUMNS = [
  'EventId', 'FullName', 'CompanyName', 'EmailAddress', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName', 'SignUpDate',
] as const;

type ListRow = Record<(typeof LIST_COLUMNS)[number], string> & { SignUpDate: string | Date };

/** A grouped row: some of the summary's columns and a count. */
type CountedRow = Partial<Record<'SignUpDay' | 'CountryCode' | 'CountryName' | 'RoleCode' | 'RoleName', string>> & { n: number | string };

/** The rows counted per day, per country and per role. */
type Cube = [CountedRow[], CountedRow[], CountedRow[]];

function toProspect(row: ListRow): AnalyticsProspect {
  return {
    eventId: row.EventId,
    fullName: row.FullName,
    companyName: row.CompanyName,
    emailAddress: row.EmailAddress,
    countryCode: row.CountryCode,
    countryName: row.CountryName,
    roleCode: row.RoleCode,
    roleName: row.RoleName,
    signUpDate: new Date(row.SignUpDate).toISOString(),
  };
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const searches = (filter: AnalyticsFilter): boolean => filter.q !== undefined && filter.q !== '';

const DAY_COLUMNS = ['SignUpDay', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName'];

/** Counts per key of the grouped rows, by count descending, then by name in code-point order. */
function fold<T extends { count: number }>(rows: readonly CountedRow[], key: (row: CountedRow) => string, make: (row: CountedRow) => Omit<T, 'count'>, name: (item: T) => string): T[] {
  const groups = new Map<string, T>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group === undefined) groups.set(key(row), { ...make(row), count: Number(row.n) } as T);
    else group.count += Number(row.n);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || byName(name(a), name(b)));
}

/**
 * Inserts the rows whose event id is not stored yet and returns them. PostgreSQL and
 * SQLite say which they inserted (`returning`); on MySQL and SQL Server the stored
 * ids are read under a lock that holds until the transaction ends, so a concurrent
 * writer of the same ids waits (or is chosen as a deadlock victim, which is transient)
 * and never counts a row twice.
 */
async function insertNew(trx: Knex.Transaction, dialect: SqlDialect, rows: readonly ProspectIndexRow[]): Promise<ProspectIndexRow[]> {
  if (dialect === 'postgres' || dialect === 'sqlite') {
    const result = await buildProspectIndexInsert(trx, dialect, rows) as { rows?: { EventId: string }[] } | { EventId: string }[];
    const ids = new Set((Array.isArray(result) ? result : result.rows ?? []).map((row) => row.EventId));
    return rows.filter((row) => ids.has(row.EventId as string));
  }
  const ids = rows.map((row) => row.EventId as string);
  const stored = dialect === 'mssql'
    ? await trx.raw<{ EventId: string }[]>(`select [EventId] from [${PROSPECT_INDEX_TABLE}] with (updlock, holdlock) where [EventId] in (${ids.map(() => '?').join(', ')})`, ids)
    : await (trx(PROSPECT_INDEX_TABLE).select('EventId').whereIn('EventId', ids).forUpdate() as Promise<{ EventId: string }[]>);
  const known = new Set(stored.map((row) => row.EventId.toLowerCase()));
  const fresh = rows.filter((row) => !known.has(row.EventId as string));
  if (fresh.length > 0) await buildProspectIndexInsert(trx, dialect, fresh);
  return fresh;
}

/**
 * The analytics read model in SQL (docs/analytics.md): the `ProspectIndex` table and
 * its two rollups (`ProspectIndexDayCount`, `ProspectIndexCompanyCount`), written by
 * the index handler only and read by the dashboard, in `ConnectionStrings:AnalyticsDb`
 * (by default the sign-up database). Idempotent on `EventId` (lower-cased): a batch is
 * one transaction that inserts the documents not stored yet and adds only those to the
 * rollups, so a redelivery or a concurrent writer of the same batch never counts a
 * sign-up twice; a batch the database rolls back to break a deadlock is written again.
 * Without `q` the summary and the list's total read the rollups; with it they read
 * the matching rows. The list's page is newest first with offset and limit; the
 * stream reads in chunks, each continuing after the last row of the one before
 * (keyset), so a large result is never held whole. Every value is a bound parameter.
 *
 * @throws DatabaseUnavailableError when the database is down, times out or is busy (transient).
 * @throws SignUpError `PROSPECT_NOT_STORABLE` when the database refuses a value (permanent);
 *   `DATABASE_ERROR` for a failure it does not recognise.
 */
@injectable()
export class SqlProspectIndex implements IProspectIndex, IProspectAnalytics {
  private readonly streamChunkSize: number;

  constructor(@inject(AnalyticsSqlConnection) private readonly knex: Knex, @unmanaged() options: SqlProspectIndexOptions = {}) {
    this.streamChunkSize = options.streamChunkSize ?? DEFAULT_STREAM_CHUNK;
  }

  async indexMany(prospects: readonly IndexedProspect[]): Promise<IndexItemResult[]> {
    if (prospects.length === 0) return [];
    try {
      const dialect = sqlDialectOf(this.knex);
      const rows = new Map<string, ProspectIndexRow>();
      for (const prospect of prospects) {
        const row = toProspectIndexRow(prospect, dialect);
        if (!rows.has(row.EventId as string)) rows.set(row.EventId as string, row);
      }
      const size = maxIndexRowsPerInsert(dialect);
      // In event id order, so writers of overlapping batches take the unique key's locks in one order.
      const all = [...rows.values()].sort((a, b) => byName(a.EventId as string, b.EventId as string));
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.knex.transaction(async (trx) => {
            const inserted: ProspectIndexRow[] = [];
            for (let i = 0; i < all.length; i += size) inserted.push(...await insertNew(trx, dialect, all.slice(i, i + size)));
            await addToRollups(trx, dialect, inserted);
          });
          break;
        } catch (error) {
          // Writers of overlapping batches can deadlock on MySQL (gap locks); the loser wrote nothing, so run it again.
          if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
        }
      }
    } catch (error) {
      throw translateSqlError(error);
    }
    return prospects.map((prospect) => ({ eventId: prospect.eventId, status: 'indexed' }));
  }

  async clear(): Promise<void> {
    try {
      await this.knex.transaction(async (trx) => {
        for (const table of [PROSPECT_INDEX_TABLE, PROSPECT_DAY_COUNT_TABLE, PROSPECT_COMPANY_COUNT_TABLE]) await trx(table).del();
      });
    } catch (error) {
      throw translateSqlError(error);
    }
  }

  async summary(filter: AnalyticsFilter): Promise<AnalyticsSummary> {
    const dialect = this.dialect();
    try {
      const [[days, countries, roles], companies] = await Promise.all([
        searches(filter) ? this.cubeOfRows(filter, dialect) : this.cubeOfRollup(filter),
        this.topCompanies(filter, dialect),
      ]);
      const byDay = fold<{ date: string; count: number }>(days, (r) => r.SignUpDay!, (r) => ({ date: r.SignUpDay! }), (d) => d.date);
      return {
        total: byDay.reduce((sum, day) => sum + day.count, 0),
        byDay: byDay.sort((a, b) => byName(a.date, b.date)),
        byCountry: fold<{ countryCode: string; countryName: string; count: number }>(countries, (r) => `${r.CountryCode}\n${r.CountryName}`,
          (r) => ({ countryCode: r.CountryCode!, countryName: r.CountryName! }), (c) => c.countryName),
        byRole: fold<{ roleCode: string; roleName: string; count: number }>(roles, (r) => `${r.RoleCode}\n${r.RoleName}`,
          (r) => ({ roleCode: r.RoleCode!, roleName: r.RoleName! }), (r) => r.roleName),
        topCompanies: companies.map((row) => ({ companyName: row.CompanyName, count: Number(row.n) }))
          .sort((a, b) => b.count - a.count || byName(a.companyName, b.companyName)),
      };
    } catch (error) {
      throw translateSqlError(error);
    }
  }

  async list(filter: AnalyticsFilter, page: PageRequest): Promise<AnalyticsProspectPage> {
    const dialect = this.dialect();
    try {
      const [rows, counted] = await Promise.all([
        this.newestFirst(filter, dialect).offset((page.page - 1) * page.pageSize).limit(page.pageSize) as Promise<ListRow[]>,
        this.count(filter, dialect),
      ]);
      return { total: counted, page: page.page, pageSize: page.pageSize, items: rows.map(toProspect) };
    } catch (error) {
      throw translateSqlError(error);
    }
  }

  stream(filter: AnalyticsFilter): AsyncIterable<AnalyticsProspect> {
    const dialect = this.dialect();
    const chunkSize = this.streamChunkSize;
    const chunkAfter = async (last: ListRow | undefined): Promise<ListRow[]> => {
      const query = this.newestFirst(filter, dialect).limit(chunkSize);
      if (last !== undefined) {
        const at = boundTime(new Date(last.SignUpDate), dialect);
        query.where((after) => {
          after.where('SignUpDate', '<', at).orWhere((same) => {
            same.where('SignUpDate', at).where('EventId', '<', last.EventId);
          });
        });
      }
      try {
        return await (query as Promise<ListRow[]>);
      } catch (error) {
        throw translateSqlError(error);
      }
    };
    return {
      async* [Symbol.asyncIterator]() {
        let last: ListRow | undefined;
        for (;;) {
          const rows = await chunkAfter(last);
          for (const row of rows) yield toProspect(row);
          if (rows.length < chunkSize) return;
          last = rows.at(-1);
        }
      },
    };
  }

  /** The rows of days, countries and roles, from the day rollup (groups of its groups). */
  private async cubeOfRollup(filter: AnalyticsFilter): Promise<Cube> {
    const grouped = (columns: string[]): Promise<CountedRow[]> =>
      applyDayCountFilter(this.knex(PROSPECT_DAY_COUNT_TABLE).select(columns).sum({ n: 'SignUpCount' }).groupBy(columns), filter) as Promise<CountedRow[]>;
    return Promise.all([grouped(['SignUpDay']), grouped(['CountryCode', 'CountryName']), grouped(['RoleCode', 'RoleName'])]);
  }

  /** With `q`: one grouping of the matching rows over day, country and role, folded three ways. */
  private async cubeOfRows(filter: AnalyticsFilter, dialect: SqlDialect): Promise<Cube> {
    const cube = await (applyAnalyticsFilter(this.knex(PROSPECT_INDEX_TABLE).select(DAY_COLUMNS).count({ n: '*' }).groupBy(DAY_COLUMNS),
      filter, dialect, 'SignUpDay') as Promise<CountedRow[]>);
    return [cube, cube, cube];
  }

  /** From the company rollup unless the filter has dates or `q`, which only the rows can answer. */
  private topCompanies(filter: AnalyticsFilter, dialect: SqlDialect): Promise<{ CompanyName: string; n: number | string }[]> {
    const order = [{ column: 'n', order: 'desc' }, { column: 'CompanyName', order: 'asc' }];
    if (!searches(filter) && filter.from === undefined && filter.to === undefined) {
      return applyCompanyCountFilter(this.knex(PROSPECT_COMPANY_COUNT_TABLE).select('CompanyName', { n: 'SignUpCount' }), filter)
        .orderBy([{ column: 'SignUpCount', order: 'desc' }, { column: 'CompanyName', order: 'asc' }])
        .limit(TOP_COMPANIES) as Promise<{ CompanyName: string; n: number | string }[]>;
    }
    return applyAnalyticsFilter(this.knex(PROSPECT_INDEX_TABLE).select('CompanyName').count({ n: '*' }), filter, dialect, 'SignUpDay')
      .whereNot('CompanyName', '')
      .groupBy('CompanyName')
      .orderBy(order)
      .limit(TOP_COMPANIES) as Promise<{ CompanyName: string; n: number | string }[]>;
  }

  /** How many rows match: summed from the day rollup without `q`, counted from the rows with it. */
  private async count(filter: AnalyticsFilter, dialect: SqlDialect): Promise<number> {
    const counted = searches(filter)
      ? await (applyAnalyticsFilter(this.knex(PROSPECT_INDEX_TABLE).count({ n: '*' }), filter, dialect) as Promise<{ n: number | string | null }[]>)
      : await (applyDayCountFilter(this.knex(PROSPECT_DAY_COUNT_TABLE).sum({ n: 'SignUpCount' }), filter) as Promise<{ n: number | string | null }[]>);
    return Number(counted[0]?.n ?? 0);
  }

  private newestFirst(filter: AnalyticsFilter, dialect: SqlDialect): Knex.QueryBuilder {
    return applyAnalyticsFilter(this.knex(PROSPECT_INDEX_TABLE).select(LIST_COLUMNS), filter, dialect)
      .orderBy([{ column: 'SignUpDate', order: 'desc' }, { column: 'EventId', order: 'desc' }]);
  }

  private dialect(): SqlDialect {
    try {
      return sqlDialectOf(this.knex);
    } catch (error) {
      throw translateSqlError(error);
    }
  }
}
