import { SignUpError } from './signup-error.js';

/** The filter and paging parameters an analytics query is read from. */
export type AnalyticsQueryField = 'from' | 'to' | 'countryCode' | 'roleCode' | 'q' | 'page' | 'pageSize';

/**
 * An analytics query (the dashboard's filters or the analytics API's parameters) has
 * values that cannot be used; `errors` maps each offending parameter to a message meant
 * for the business user who set the filter. Nothing was read.
 */
export class AnalyticsQueryInvalidError extends SignUpError {
  readonly errors: Readonly<Partial<Record<AnalyticsQueryField, string>>>;

  constructor(errors: Readonly<Partial<Record<AnalyticsQueryField, string>>>) {
    super('ANALYTICS_QUERY_INVALID', `The analytics query is not valid (${Object.keys(errors).join(', ')}).`);
    this.errors = errors;
  }
}
