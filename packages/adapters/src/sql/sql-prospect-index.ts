import {
  TOP_COMPANIES,
  type AnalyticsFilter, type AnalyticsProspect, type AnalyticsProspectPage, type AnalyticsSummary, type IndexedProspect,
  type IndexItemResult, type IProspectAnalytics, type IProspectIndex, type PageRequest,
} from '@signup/domain';
import { inject, injectable, unmanaged } from 'inversify';
import type { Knex } from 'knex';
import { PROSPECT_INDEX_TABLE } from './migrations/create-prospect-index-table.js';
import {
  applyAnalyticsFilter, boundTime, buildProspectIndexInsert, maxIndexRowsPerInsert, toProspectIndexRow, type ProspectIndexRow,
} from './prospect-index-statements.js';
import { sqlDialectOf, type SqlDialect } from './sql-dialect.js';
import { translateSqlError } from './translate-sql-error.js';

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

const LIST_COLUMNS = [
  'EventId', 'FullName', 'CompanyName', 'EmailAddress', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName', 'SignUpDate',
] as const;

type ListRow = Record<(typeof LIST_COLUMNS)[number], string> & { SignUpDate: string | Date };

interface CubeRow {
  SignUpDay: string;
  CountryCode: string;
  CountryName: string;
  RoleCode: string;
  RoleName: string;
  n: number | string;
}

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

/** Counts per key of the grouped rows, by count descending, then by name in code-point order. */
function fold<T extends { count: number }>(rows: readonly CubeRow[], key: (row: CubeRow) => string, make: (row: CubeRow) => Omit<T, 'count'>, name: (item: T) => string): T[] {
  const groups = new Map<string, T>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group === undefined) groups.set(key(row), { ...make(row), count: Number(row.n) } as T);
    else group.count += Number(row.n);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || byName(name(a), name(b)));
}

/**
 * The analytics read model in SQL (docs/analytics.md): the `ProspectIndex` table,
 * written by the index handler only and read by the dashboard, in
 * `ConnectionStrings:AnalyticsDb` (by default the sign-up database). Idempotent on
 * `EventId` (lower-cased): a batch is one insert statement that skips documents
 * already stored (split only past the dialect's parameter limit, then in one
 * transaction). The summary is two statements: one grouping over day, country and
 * role that gives the total and three charts, and one for the top companies. The
 * list is a page and a count; the stream reads newest first in chunks, each
 * continuing after the last row of the one before (keyset), so a large result is
 * never held whole. Every value is a bound parameter.
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
      const all = [...rows.values()];
      if (all.length <= size) {
        await buildProspectIndexInsert(this.knex, dialect, all);
      } else {
        await this.knex.transaction(async (trx) => {
          for (let i = 0; i < all.length; i += size) await buildProspectIndexInsert(trx, dialect, all.slice(i, i + size));
        });
      }
    } catch (error) {
      throw translateSqlError(error);
    }
    return prospects.map((prospect) => ({ eventId: prospect.eventId, status: 'indexed' }));
  }

  async clear(): Promise<void> {
    try {
      await this.knex(PROSPECT_INDEX_TABLE).del();
    } catch (error) {
      throw translateSqlError(error);
    }
  }

  async summary(filter: AnalyticsFilter): Promise<AnalyticsSummary> {
    const dialect = this.dialect();
    const grouped = ['SignUpDay', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName'];
    try {
      const [cube, companies] = await Promise.all([
        applyAnalyticsFilter(this.knex(PROSPECT_INDEX_TABLE).select(grouped).count({ n: '*' }).groupBy(grouped), filter, dialect) as Promise<CubeRow[]>,
        applyAnalyticsFilter(this.knex(PROSPECT_INDEX_TABLE).select('CompanyName').count({ n: '*' }), filter, dialect)
          .whereNot('CompanyName', '')
          .groupBy('CompanyName')
          .orderBy([{ column: 'n', order: 'desc' }, { column: 'CompanyName', order: 'asc' }])
          .limit(TOP_COMPANIES) as Promise<{ CompanyName: string; n: number | string }[]>,
      ]);
      const days = fold<{ date: string; count: number }>(cube, (r) => r.SignUpDay, (r) => ({ date: r.SignUpDay }), (d) => d.date);
      return {
        total: days.reduce((sum, day) => sum + day.count, 0),
        byDay: days.sort((a, b) => byName(a.date, b.date)),
        byCountry: fold<{ countryCode: string; countryName: string; count: number }>(cube, (r) => `${r.CountryCode}\n${r.CountryName}`,
          (r) => ({ countryCode: r.CountryCode, countryName: r.CountryName }), (c) => c.countryName),
        byRole: fold<{ roleCode: string; roleName: string; count: number }>(cube, (r) => `${r.RoleCode}\n${r.RoleName}`,
          (r) => ({ roleCode: r.RoleCode, roleName: r.RoleName }), (r) => r.roleName),
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
        applyAnalyticsFilter(this.knex(PROSPECT_INDEX_TABLE).count({ n: '*' }), filter, dialect) as Promise<{ n: number | string }[]>,
      ]);
      return { total: Number(counted[0]?.n ?? 0), page: page.page, pageSize: page.pageSize, items: rows.map(toProspect) };
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
