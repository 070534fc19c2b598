import type { estypes } from '@elastic/elasticsearch';
import { TOP_COMPANIES, type AnalyticsFilter } from '@signup/domain';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A wildcard pattern matching `text` as a substring, its `*`, `?` and `\` matched literally. */
export function containsWildcard(text: string): string {
  return `*${text.replace(/[\\*?]/g, (c) => `\\${c}`)}*`;
}

/**
 * The dashboard's filters as an Elasticsearch `bool` filter. Days are UTC,
 * inclusive; `q` is a case-insensitive `wildcard` on the keyword of the full name,
 * company and email address, with its wildcard characters escaped: the user's text
 * is never parsed as a query language.
 */
export function filterQuery(filter: AnalyticsFilter): estypes.QueryDslQueryContainer {
  const clauses: estypes.QueryDslQueryContainer[] = [];
  if (filter.from !== undefined || filter.to !== undefined) {
    const range: Record<string, string> = {};
    if (filter.from !== undefined) range.gte = `${filter.from}T00:00:00.000Z`;
    if (filter.to !== undefined) range.lt = new Date(Date.parse(`${filter.to}T00:00:00.000Z`) + DAY_MS).toISOString();
    clauses.push({ range: { SignUpDate: range } });
  }
  if (filter.countryCode !== undefined) clauses.push({ term: { CountryCode: filter.countryCode } });
  if (filter.roleCode !== undefined) clauses.push({ term: { RoleCode: filter.roleCode } });
  if (filter.q !== undefined && filter.q !== '') {
    const value = containsWildcard(filter.q);
    clauses.push({
      bool: {
        should: ['FullName.keyword', 'CompanyName.keyword', 'EmailAddress']
          .map((field) => ({ wildcard: { [field]: { value, case_insensitive: true } } })),
        minimum_should_match: 1,
      },
    });
  }
  return clauses.length === 0 ? { match_all: {} } : { bool: { filter: clauses } };
}

// More countries and roles than the reference data will ever hold.
const REFERENCE_BUCKETS = 1000;

/**
 * The summary's aggregations, all in one search: sign-ups per UTC day, per country
 * and per role (code, then the name under it), and the top companies without blanks.
 */
export function summaryAggregations(): Record<string, estypes.AggregationsAggregationContainer> {
  const byCodeThenName = (code: string, name: string): estypes.AggregationsAggregationContainer => ({
    terms: { field: code, size: REFERENCE_BUCKETS },
    aggs: { name: { terms: { field: name, size: REFERENCE_BUCKETS } } },
  });
  return {
    byDay: { date_histogram: { field: 'SignUpDate', calendar_interval: 'day', time_zone: 'UTC', format: 'yyyy-MM-dd', min_doc_count: 1 } },
    byCountry: byCodeThenName('CountryCode', 'CountryName'),
    byRole: byCodeThenName('RoleCode', 'RoleName'),
    topCompanies: {
      terms: { field: 'CompanyName.keyword', size: TOP_COMPANIES, exclude: [''], order: [{ _count: 'desc' }, { _key: 'asc' }] },
    },
  };
}

/** Newest first; the event id breaks ties, so pages and `search_after` are stable. */
export const NEWEST_FIRST: estypes.SortCombinations[] = [{ SignUpDate: { order: 'desc' } }, { EventId: { order: 'desc' } }];
