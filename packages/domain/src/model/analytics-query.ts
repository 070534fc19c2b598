import { AnalyticsQueryInvalidError, type AnalyticsQueryField } from '../errors/analytics-query-invalid-error.js';
import type { AnalyticsFilter, PageRequest } from '../ports/prospect-analytics.js';
import type { ReferenceData } from './reference-data.js';

/** Limits on an analytics query. */
export const ANALYTICS_QUERY_LIMITS = Object.freeze({
  /** Longest free-text search, in characters (Unicode code points). */
  searchText: 200,
  /** Most rows on one page of the list. */
  pageSize: 1000,
  /** Rows on a page when `pageSize` is not given. */
  defaultPageSize: 50,
  /** Highest page number, so `page × pageSize` stays an offset every store can take. */
  page: 1_000_000,
  /** Earliest year of a `from`/`to` date. */
  earliestYear: 1900,
  /**
   * Latest year of a `from`/`to` date: the day after 9998-12-31 is still a four-digit
   * year, which every store's date type and `toISOString()` write the same way.
   */
  latestYear: 9998,
});

/** A parsed analytics query: the filter and which page of the list. */
export interface AnalyticsQuery {
  readonly filter: AnalyticsFilter;
  readonly page: PageRequest;
}

type FieldErrors = Partial<Record<AnalyticsQueryField, string>>;

const LABELS: Readonly<Record<AnalyticsQueryField, string>> = {
  from: 'the start date',
  to: 'the end date',
  countryCode: 'the country',
  roleCode: 'the role',
  q: 'the search text',
  page: 'the page number',
  pageSize: 'the number of rows per page',
};

// Cc: C0 and C1 controls (tab and line breaks included); Cs: lone surrogates; the line and paragraph separators.
const FORBIDDEN_CHARACTERS = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const WHOLE_NUMBER = /^\d{1,16}$/;

/** Whether `text` (shaped YYYY-MM-DD) names a day of the calendar: 2024-02-29 does, 2023-02-29 does not. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);
  return day <= daysInMonth;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The parameter's single value as trimmed text: undefined when absent or blank (an
 * empty filter field means "any"), or an error message when repeated or not text.
 */
function readOne(query: Record<string, unknown>, field: AnalyticsQueryField): { value?: string; error?: string } {
  if (!Object.hasOwn(query, field)) return {};
  const raw = query[field];
  if (raw === undefined || raw === null) return {};
  if (Array.isArray(raw)) return { error: `Give ${LABELS[field]} only once.` };
  if (typeof raw === 'number' && Number.isFinite(raw)) return { value: String(raw) };
  if (typeof raw !== 'string') return { error: `${capitalised(LABELS[field])} must be text.` };
  const trimmed = raw.trim();
  return trimmed === '' ? {} : { value: trimmed };
}

function parseDate(value: string, field: 'from' | 'to'): string | { error: string } {
  if (!DATE_SHAPE.test(value)) {
    return { error: `Enter ${LABELS[field]} as year-month-day, for example 2024-03-31.` };
  }
  if (!isCalendarDate(value)) return { error: `${capitalised(LABELS[field])} ${value} is not a day of the calendar.` };
  const year = Number(value.slice(0, 4));
  if (year < ANALYTICS_QUERY_LIMITS.earliestYear || year > ANALYTICS_QUERY_LIMITS.latestYear) {
    return { error: `${capitalised(LABELS[field])} must be in the years ${ANALYTICS_QUERY_LIMITS.earliestYear} to ${ANALYTICS_QUERY_LIMITS.latestYear}.` };
  }
  return value;
}

function parseWholeNumber(value: string, min: number, max: number, message: string): number | { error: string } {
  const number = WHOLE_NUMBER.test(value) ? Number(value) : NaN;
  return number >= min && number <= max ? number : { error: message };
}

/**
 * Reads the filters and paging of an analytics request (the analytics routes of
 * docs/analytics.md): `from`, `to` (UTC days `YYYY-MM-DD`, inclusive), `countryCode`,
 * `roleCode` (codes of the reference data, `-` for "--Not telling"), `q` (free text),
 * `page` (from 1) and `pageSize` (1 to 1000, default 50). Blank values count as absent;
 * other parameters are ignored. `q` is returned as plain text for the store to match
 * literally.
 *
 * @throws AnalyticsQueryInvalidError naming every offending parameter: a date that is
 *   not `YYYY-MM-DD`, not a calendar day or outside the years 1900 to 9998, `from` after `to`, an unknown code, a page or
 *   page size out of range or not a whole number, `q` too long or with control
 *   characters, any parameter given more than once.
 */
export function parseAnalyticsQuery(query: Record<string, unknown>, referenceData: ReferenceData): AnalyticsQuery {
  const errors: FieldErrors = {};
  const values: Partial<Record<AnalyticsQueryField, string>> = {};
  for (const field of Object.keys(LABELS) as AnalyticsQueryField[]) {
    const { value, error } = readOne(query, field);
    if (error !== undefined) errors[field] = error;
    else if (value !== undefined) values[field] = value;
  }

  const filter: { -readonly [K in keyof AnalyticsFilter]: AnalyticsFilter[K] } = {};
  for (const field of ['from', 'to'] as const) {
    const value = values[field];
    if (value === undefined) continue;
    const date = parseDate(value, field);
    if (typeof date === 'string') filter[field] = date;
    else errors[field] = date.error;
  }
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) {
    errors.to = 'The end date must be on or after the start date.';
  }
  if (values.countryCode !== undefined) {
    if (referenceData.country(values.countryCode) === undefined) errors.countryCode = 'Choose a country from the list.';
    else filter.countryCode = values.countryCode;
  }
  if (values.roleCode !== undefined) {
    if (referenceData.role(values.roleCode) === undefined) errors.roleCode = 'Choose a role from the list.';
    else filter.roleCode = values.roleCode;
  }
  if (values.q !== undefined) {
    if ([...values.q].length > ANALYTICS_QUERY_LIMITS.searchText) {
      errors.q = `The search text must be ${ANALYTICS_QUERY_LIMITS.searchText} characters or fewer.`;
    } else if (FORBIDDEN_CHARACTERS.test(values.q)) {
      errors.q = 'The search text contains characters that are not allowed, such as tabs or line breaks.';
    } else {
      filter.q = values.q;
    }
  }

  const page = values.page === undefined ? 1 : parseWholeNumber(values.page, 1, ANALYTICS_QUERY_LIMITS.page,
    `The page number must be a whole number from 1 to ${ANALYTICS_QUERY_LIMITS.page.toLocaleString('en')}.`);
  if (typeof page !== 'number') errors.page = page.error;
  const pageSize = values.pageSize === undefined ? ANALYTICS_QUERY_LIMITS.defaultPageSize
    : parseWholeNumber(values.pageSize, 1, ANALYTICS_QUERY_LIMITS.pageSize,
      `The number of rows per page must be a whole number from 1 to ${ANALYTICS_QUERY_LIMITS.pageSize}.`);
  if (typeof pageSize !== 'number') errors.pageSize = pageSize.error;

  if (Object.keys(errors).length > 0 || typeof page !== 'number' || typeof pageSize !== 'number') {
    throw new AnalyticsQueryInvalidError(errors);
  }
  return { filter, page: { page, pageSize } };
}

/**
 * The query parameters that `parseAnalyticsQuery` reads back as this filter (and page,
 * when given), in a fixed order; absent filters and the default page size are left out,
 * so links stay short.
 */
export function formatAnalyticsQuery(filter: AnalyticsFilter, page?: Partial<PageRequest>): [string, string][] {
  const parameters: [string, string][] = [];
  for (const field of ['from', 'to', 'countryCode', 'roleCode', 'q'] as const) {
    const value = filter[field];
    if (value !== undefined && value !== '') parameters.push([field, value]);
  }
  if (page?.pageSize !== undefined && page.pageSize !== ANALYTICS_QUERY_LIMITS.defaultPageSize) {
    parameters.push(['pageSize', String(page.pageSize)]);
  }
  if (page?.page !== undefined && page.page !== 1) parameters.push(['page', String(page.page)]);
  return parameters;
}
