import type { IndexedProspect } from './prospect-index.js';

/**
 * The filters every analytics query takes, already validated: dates are UTC days
 * `YYYY-MM-DD`, inclusive; codes exist in the reference data; `q` is plain text
 * matched (case-insensitively, as a substring) against full name, company and email,
 * never interpreted as SQL or a query language.
 */
export interface AnalyticsFilter {
  readonly from?: string;
  readonly to?: string;
  readonly countryCode?: string;
  readonly roleCode?: string;
  readonly q?: string;
}

/** Which page of the list: `page` counts from 1, `pageSize` is 1 to 1000. */
export interface PageRequest {
  readonly page: number;
  readonly pageSize: number;
}

/** The dashboard's aggregates, as `GET /api/analytics/summary` answers them. */
export interface AnalyticsSummary {
  readonly total: number;
  /** Sign-ups per UTC day, ascending by date; days without sign-ups are left out. */
  readonly byDay: readonly { readonly date: string; readonly count: number }[];
  /** By count descending, then by name. */
  readonly byCountry: readonly { readonly countryCode: string; readonly countryName: string; readonly count: number }[];
  /** By count descending, then by name. */
  readonly byRole: readonly { readonly roleCode: string; readonly roleName: string; readonly count: number }[];
  /** The companies with the most sign-ups (at most `TOP_COMPANIES`), by count descending, then by name; blank names left out. */
  readonly topCompanies: readonly { readonly companyName: string; readonly count: number }[];
}

/** How many companies `AnalyticsSummary.topCompanies` lists at most. */
export const TOP_COMPANIES = 10;

/**
 * One row of the list and of the CSV download: the indexed document as the API
 * answers it, `signUpDate` an ISO 8601 UTC time.
 */
export type AnalyticsProspect = Omit<IndexedProspect, 'signUpDate'> & { readonly signUpDate: string };

/** A page of the list, newest sign-up first. */
export interface AnalyticsProspectPage {
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly items: readonly AnalyticsProspect[];
}

/**
 * Reads what the index handler wrote (never the save handler's `Prospects` table):
 * the same store `IProspectIndex` writes, answered by SQL or by Elasticsearch
 * aggregations.
 *
 * @throws DependencyUnavailableError (transient) when the store cannot be reached.
 */
export interface IProspectAnalytics {
  summary(filter: AnalyticsFilter): Promise<AnalyticsSummary>;
  list(filter: AnalyticsFilter, page: PageRequest): Promise<AnalyticsProspectPage>;
  /** Every matching row, newest first, read a chunk at a time so a large result is never held whole. */
  stream(filter: AnalyticsFilter): AsyncIterable<AnalyticsProspect>;
}
export const IProspectAnalytics: unique symbol = Symbol.for('signup.IProspectAnalytics');
