import type Router from '@koa/router';
import type { Context } from 'koa';
import { AnalyticsQueryInvalidError, parseAnalyticsQuery, type AnalyticsQuery } from '@signup/domain';
import { csvStream } from '../csv.js';
import type { AnalyticsOptions, WebAppDependencies } from '../web-app-dependencies.js';
import { renderAnalyticsPage, type AnalyticsFormValues } from '../views/analytics-page.js';

/** The paths HTTP Basic guards (see `requireBasicAuth`): the dashboard and everything under the analytics API. */
export const ANALYTICS_PATHS: readonly string[] = ['/app/Analytics', '/api/analytics'];

const FORM_FIELDS = ['from', 'to', 'countryCode', 'roleCode', 'q', 'pageSize'] as const;

/** The filter form's fields as the request gave them: the first value of each, so a rejected form is shown as typed. */
function formValues(query: Context['query']): AnalyticsFormValues {
  const values: Partial<Record<(typeof FORM_FIELDS)[number], string>> = {};
  for (const field of FORM_FIELDS) {
    const value = query[field];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) values[field] = first;
  }
  return values;
}

async function parse(ctx: Context, deps: WebAppDependencies): Promise<AnalyticsQuery> {
  return parseAnalyticsQuery(ctx.query, await deps.referenceData.load());
}

/**
 * The analytics of docs/analytics.md, read through `IProspectAnalytics`: the dashboard
 * page, the summary and the list as JSON, and the list as a streamed CSV download.
 * Filters that cannot be used throw `AnalyticsQueryInvalidError` (400 through the error
 * middleware) except on the page, which shows them next to the fields; a store outage
 * propagates as a transient error (503). Access is checked before these routes run.
 */
export function registerAnalyticsRoutes(router: Router, deps: WebAppDependencies, analytics: AnalyticsOptions): void {
  const { store } = analytics;

  router.get('/app/Analytics', async (ctx) => {
    const referenceData = await deps.referenceData.load();
    const values = formValues(ctx.query);
    ctx.type = 'html';
    try {
      const query: AnalyticsQuery = parseAnalyticsQuery(ctx.query, referenceData);
      // The store may refuse a query too (a page past what it can page to): shown the same way.
      const [summary, list] = await Promise.all([store.summary(query.filter), store.list(query.filter, query.page)]);
      ctx.body = renderAnalyticsPage({ referenceData, values, result: { ...query, summary, list } });
    } catch (error) {
      if (!(error instanceof AnalyticsQueryInvalidError)) throw error;
      ctx.status = 400;
      ctx.body = renderAnalyticsPage({ referenceData, values, errors: error.errors });
    }
  });

  router.get('/api/analytics/summary', async (ctx) => {
    const { filter } = await parse(ctx, deps);
    const summary = await store.summary(filter);
    ctx.body = {
      total: summary.total,
      byDay: summary.byDay.map(({ date, count }) => ({ date, count })),
      byCountry: summary.byCountry.map(({ countryCode, countryName, count }) => ({ countryCode, countryName, count })),
      byRole: summary.byRole.map(({ roleCode, roleName, count }) => ({ roleCode, roleName, count })),
      topCompanies: summary.topCompanies.map(({ companyName, count }) => ({ companyName, count })),
    };
  });

  router.get('/api/analytics/prospects', async (ctx) => {
    const { filter, page } = await parse(ctx, deps);
    const list = await store.list(filter, page);
    ctx.body = {
      total: list.total,
      page: list.page,
      pageSize: list.pageSize,
      items: list.items.map((item) => ({
        eventId: item.eventId,
        fullName: item.fullName,
        companyName: item.companyName,
        emailAddress: item.emailAddress,
        countryCode: item.countryCode,
        countryName: item.countryName,
        roleCode: item.roleCode,
        roleName: item.roleName,
        signUpDate: item.signUpDate,
      })),
    };
  });

  router.get('/api/analytics/prospects.csv', async (ctx) => {
    const { filter } = await parse(ctx, deps);
    const rows = store.stream(filter)[Symbol.asyncIterator]();
    // Read the first row before answering: a store that is down gets a 503, not a 200 cut short.
    const first = await rows.next();
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment('sign-ups.csv');
    ctx.body = csvStream(first, rows);
  });
}
