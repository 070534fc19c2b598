import {
  TOP_COMPANIES,
  type AnalyticsFilter,
  type AnalyticsProspect,
  type AnalyticsProspectPage,
  type AnalyticsSummary,
  type IProspectAnalytics,
  type PageRequest,
} from '@signup/domain';

function countBy<T>(rows: readonly AnalyticsProspect[], key: (row: AnalyticsProspect) => string, make: (row: AnalyticsProspect, count: number) => T): T[] {
  const groups = new Map<string, { row: AnalyticsProspect; count: number }>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group === undefined) groups.set(key(row), { row, count: 1 });
    else group.count += 1;
  }
  return [...groups.values()].map((group) => make(group.row, group.count));
}

const byCountThenName = <T extends { count: number }>(name: (item: T) => string) => (a: T, b: T): number =>
  b.count - a.count || name(a).localeCompare(name(b), 'en');

/**
 * A small `IProspectAnalytics` over an array, for the page tests, the browser test and
 * the screenshot of docs/analytics.md: filters and aggregates as the port describes them.
 */
export class ArrayProspectAnalytics implements IProspectAnalytics {
  constructor(private readonly rows: readonly AnalyticsProspect[]) {}

  private matching(filter: AnalyticsFilter): AnalyticsProspect[] {
    const q = filter.q?.toLowerCase();
    return this.rows
      .filter((row) => (filter.from === undefined || row.signUpDate.slice(0, 10) >= filter.from)
        && (filter.to === undefined || row.signUpDate.slice(0, 10) <= filter.to)
        && (filter.countryCode === undefined || row.countryCode === filter.countryCode)
        && (filter.roleCode === undefined || row.roleCode === filter.roleCode)
        && (q === undefined || [row.fullName, row.companyName, row.emailAddress].some((text) => text.toLowerCase().includes(q))))
      .sort((a, b) => b.signUpDate.localeCompare(a.signUpDate));
  }

  summary(filter: AnalyticsFilter): Promise<AnalyticsSummary> {
    const rows = this.matching(filter);
    return Promise.resolve({
      total: rows.length,
      byDay: countBy(rows, (r) => r.signUpDate.slice(0, 10), (r, count) => ({ date: r.signUpDate.slice(0, 10), count }))
        .sort((a, b) => a.date.localeCompare(b.date)),
      byCountry: countBy(rows, (r) => r.countryCode, (r, count) => ({ countryCode: r.countryCode, countryName: r.countryName, count }))
        .sort(byCountThenName((c) => c.countryName)),
      byRole: countBy(rows, (r) => r.roleCode, (r, count) => ({ roleCode: r.roleCode, roleName: r.roleName, count }))
        .sort(byCountThenName((r) => r.roleName)),
      topCompanies: countBy(rows.filter((r) => r.companyName.trim() !== ''), (r) => r.companyName, (r, count) => ({ companyName: r.companyName, count }))
        .sort(byCountThenName((c) => c.companyName)).slice(0, TOP_COMPANIES),
    });
  }

  list(filter: AnalyticsFilter, page: PageRequest): Promise<AnalyticsProspectPage> {
    const rows = this.matching(filter);
    const start = (page.page - 1) * page.pageSize;
    return Promise.resolve({ total: rows.length, page: page.page, pageSize: page.pageSize, items: rows.slice(start, start + page.pageSize) });
  }

  async* stream(filter: AnalyticsFilter): AsyncIterable<AnalyticsProspect> {
    for (const row of this.matching(filter)) yield await Promise.resolve(row);
  }
}
