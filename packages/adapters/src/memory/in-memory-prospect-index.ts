import {
  TOP_COMPANIES, byCountThenName, compareCodePoints,
  type AnalyticsFilter, type AnalyticsProspect, type AnalyticsProspectPage, type AnalyticsSummary, type IndexedProspect,
  type IndexItemResult, type IProspectAnalytics, type IProspectIndex, type PageRequest,
} from '@signup/domain';

/** The UTC day of a time, `YYYY-MM-DD`. */
function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function matches(document: IndexedProspect, filter: AnalyticsFilter): boolean {
  const day = dayOf(document.signUpDate);
  if (filter.from !== undefined && day < filter.from) return false;
  if (filter.to !== undefined && day > filter.to) return false;
  if (filter.countryCode !== undefined && document.countryCode !== filter.countryCode) return false;
  if (filter.roleCode !== undefined && document.roleCode !== filter.roleCode) return false;
  if (filter.q !== undefined && filter.q !== '') {
    const q = filter.q.toLowerCase();
    return [document.fullName, document.companyName, document.emailAddress].some((text) => text.toLowerCase().includes(q));
  }
  return true;
}

/** Newest first; the event id breaks ties, so paging is stable. */
function newestFirst(a: IndexedProspect, b: IndexedProspect): number {
  const byTime = b.signUpDate.getTime() - a.signUpDate.getTime();
  if (byTime !== 0) return byTime;
  return compareCodePoints(b.eventId, a.eventId);
}

function toRow(document: IndexedProspect): AnalyticsProspect {
  return { ...document, signUpDate: document.signUpDate.toISOString() };
}

/** Counts per key, by count descending, then by name (code-point order). */
function countBy<T>(documents: readonly IndexedProspect[], key: (d: IndexedProspect) => string, make: (d: IndexedProspect, count: number) => T, name: (d: IndexedProspect) => string): T[] {
  const groups = new Map<string, { first: IndexedProspect; count: number }>();
  for (const document of documents) {
    const group = groups.get(key(document));
    if (group === undefined) groups.set(key(document), { first: document, count: 1 });
    else group.count += 1;
  }
  return [...groups.values()]
    .sort(byCountThenName((group) => name(group.first)))
    .map((group) => make(group.first, group.count));
}

/**
 * Keeps the analytics documents in a Map: the reference behaviour of the analytics
 * stores (the contract suite in test-support runs against it and against the real
 * stores), and the store of unit tests. Idempotent on the event id (letter case
 * ignored; a document indexed again replaces the first). Nothing survives the process.
 */
export class InMemoryProspectIndex implements IProspectIndex, IProspectAnalytics {
  private readonly documents = new Map<string, IndexedProspect>();

  /** Every document, in the order first indexed. */
  get indexed(): readonly IndexedProspect[] {
    return [...this.documents.values()];
  }

  indexMany(prospects: readonly IndexedProspect[]): Promise<IndexItemResult[]> {
    for (const prospect of prospects) {
      const eventId = prospect.eventId.toLowerCase();
      this.documents.set(eventId, { ...prospect, eventId, signUpDate: new Date(prospect.signUpDate) });
    }
    return Promise.resolve(prospects.map((prospect) => ({ eventId: prospect.eventId, status: 'indexed' as const })));
  }

  clear(): Promise<void> {
    this.documents.clear();
    return Promise.resolve();
  }

  summary(filter: AnalyticsFilter): Promise<AnalyticsSummary> {
    const selected = this.select(filter);
    const byDay = new Map<string, number>();
    for (const document of selected) byDay.set(dayOf(document.signUpDate), (byDay.get(dayOf(document.signUpDate)) ?? 0) + 1);
    return Promise.resolve({
      total: selected.length,
      byDay: [...byDay.entries()].sort(([a], [b]) => compareCodePoints(a, b)).map(([date, count]) => ({ date, count })),
      byCountry: countBy(selected, (d) => `${d.countryCode}\n${d.countryName}`,
        (d, count) => ({ countryCode: d.countryCode, countryName: d.countryName, count }), (d) => d.countryName),
      byRole: countBy(selected, (d) => `${d.roleCode}\n${d.roleName}`,
        (d, count) => ({ roleCode: d.roleCode, roleName: d.roleName, count }), (d) => d.roleName),
      topCompanies: countBy(selected.filter((d) => d.companyName.trim() !== ''), (d) => d.companyName,
        (d, count) => ({ companyName: d.companyName, count }), (d) => d.companyName).slice(0, TOP_COMPANIES),
    });
  }

  list(filter: AnalyticsFilter, page: PageRequest): Promise<AnalyticsProspectPage> {
    const selected = this.select(filter);
    const start = (page.page - 1) * page.pageSize;
    return Promise.resolve({
      total: selected.length,
      page: page.page,
      pageSize: page.pageSize,
      items: selected.slice(start, start + page.pageSize).map(toRow),
    });
  }

  stream(filter: AnalyticsFilter): AsyncIterable<AnalyticsProspect> {
    const rows = this.select(filter).map(toRow);
    return {
      [Symbol.asyncIterator]: () => {
        let next = 0;
        return { next: () => Promise.resolve(next < rows.length ? { value: rows[next++]!, done: false } : { value: undefined, done: true }) };
      },
    };
  }

  private select(filter: AnalyticsFilter): IndexedProspect[] {
    return [...this.documents.values()].filter((document) => matches(document, filter)).sort(newestFirst);
  }
}
