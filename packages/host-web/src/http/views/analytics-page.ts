import {
  ANALYTICS_QUERY_LIMITS,
  formatAnalyticsQuery,
  type AnalyticsFilter,
  type AnalyticsProspectPage,
  type AnalyticsSummary,
  type PageRequest,
  type ReferenceData,
} from '@signup/domain';
import { html, type SafeHtml } from './escape-html.js';
import { renderLayout } from './layout.js';
import { renderBarChart, renderTimeChart } from './svg-charts.js';

/** The filter form's fields, as the request gave them (kept as typed when they are wrong). */
export type AnalyticsFormValues = Readonly<Partial<Record<'from' | 'to' | 'countryCode' | 'roleCode' | 'q' | 'pageSize', string>>>;

/** What the dashboard shows: the filters, and either the figures or what is wrong with the filters. */
export interface AnalyticsPageState {
  readonly referenceData: ReferenceData;
  readonly values: AnalyticsFormValues;
  /** Parameter → message, shown next to its field; no figures are shown then. */
  readonly errors?: Readonly<Record<string, string>>;
  readonly result?: {
    readonly filter: AnalyticsFilter;
    readonly page: PageRequest;
    readonly summary: AnalyticsSummary;
    readonly list: AnalyticsProspectPage;
  };
}

const PAGE_PATH = '/app/Analytics';
const CSV_PATH = '/api/analytics/prospects.csv';

/** A link to `path` with these query parameters. */
export function linkTo(path: string, parameters: readonly [string, string][]): string {
  const query = new URLSearchParams(parameters).toString();
  return query === '' ? path : `${path}?${query}`;
}

const count = (value: number): string => value.toLocaleString('en');

function fieldError(errors: Readonly<Record<string, string>>, field: string): SafeHtml | undefined {
  return Object.hasOwn(errors, field) ? html`<div id="${field}-error" class="invalid-feedback">${errors[field]}</div>` : undefined;
}

function invalidAttributes(errors: Readonly<Record<string, string>>, field: string): SafeHtml | undefined {
  return Object.hasOwn(errors, field) ? html` aria-invalid="true" aria-describedby="${field}-error"` : undefined;
}

function renderFilters(state: AnalyticsPageState): SafeHtml {
  const errors = state.errors ?? {};
  const values = state.values;
  const invalid = (field: string): string => (Object.hasOwn(errors, field) ? ' is-invalid' : '');
  const select = (name: 'countryCode' | 'roleCode', label: string, any: string, choices: readonly { code: string; name: string }[]): SafeHtml => {
    const selected = values[name] ?? '';
    const options = [{ code: '', name: any }, ...choices].map((choice) => (choice.code === selected
      ? html`<option value="${choice.code}" selected>${choice.name}</option>`
      : html`<option value="${choice.code}">${choice.name}</option>`));
    return html`<div class="col-6 col-md-3 col-xl-2">
<label for="${name}" class="form-label">${label}</label>
<select class="form-select${invalid(name)}" id="${name}" name="${name}"${invalidAttributes(errors, name)}>${options}</select>
${fieldError(errors, name)}
</div>`;
  };
  const date = (name: 'from' | 'to', label: string): SafeHtml => html`<div class="col-6 col-md-3 col-xl-2">
<label for="${name}" class="form-label">${label}</label>
<input type="date" class="form-control${invalid(name)}" id="${name}" name="${name}" value="${values[name] ?? ''}"${invalidAttributes(errors, name)}>
${fieldError(errors, name)}
</div>`;
  const countries = state.referenceData.countries.map((c) => ({ code: c.countryCode, name: c.countryName }));
  const roles = state.referenceData.roles.map((r) => ({ code: r.roleCode, name: r.roleName }));
  const pageSize = values.pageSize;
  return html`<form id="analytics-filters" class="card border-0 shadow-sm mb-4" method="get" action="${PAGE_PATH}" accept-charset="utf-8">
<div class="card-body">
<div class="row g-3 align-items-start">
${date('from', 'From')}
${date('to', 'To')}
${select('countryCode', 'Country', 'All countries', countries)}
${select('roleCode', 'Role', 'All roles', roles)}
<div class="col-12 col-xl-4">
<label for="q" class="form-label">Search</label>
<div class="input-group${invalid('q') === '' ? '' : ' has-validation'}">
<input type="search" class="form-control${invalid('q')}" id="q" name="q" value="${values.q ?? ''}" maxlength="${ANALYTICS_QUERY_LIMITS.searchText}" placeholder="Name, company or email"${invalidAttributes(errors, 'q')}>
<button type="submit" class="btn btn-primary px-4">Apply</button>
${fieldError(errors, 'q')}
</div>
</div>
${pageSize === undefined || pageSize === '' ? undefined : html`<input type="hidden" name="pageSize" value="${pageSize}">`}
</div>
${Object.hasOwn(errors, 'page') || Object.hasOwn(errors, 'pageSize')
    ? html`<div class="text-danger small mt-2" id="paging-error">${[errors.page, errors.pageSize].filter((m) => m !== undefined).join(' ')}</div>`
    : undefined}
</div>
</form>`;
}

function renderTable(list: AnalyticsProspectPage): SafeHtml {
  if (list.items.length === 0) return html`<p class="text-body-secondary mb-0" id="latest-empty">No sign-ups match these filters.</p>`;
  const rows = list.items.map((item) => html`<tr data-event-id="${item.eventId}">
<td class="text-nowrap">${item.signUpDate.slice(0, 16).replace('T', ' ')}</td>
<td>${item.fullName}</td>
<td>${item.companyName}</td>
<td class="text-break">${item.emailAddress}</td>
<td>${item.countryName}</td>
<td>${item.roleName}</td>
</tr>`);
  return html`<div class="table-responsive">
<table class="table table-sm table-hover align-middle text-nowrap mb-0" id="latest-sign-ups">
<caption class="visually-hidden">The latest sign-ups, newest first</caption>
<thead><tr><th scope="col">Signed up (UTC)</th><th scope="col">Name</th><th scope="col">Company</th><th scope="col">Email</th><th scope="col">Country</th><th scope="col">Role</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</div>`;
}

function renderPaging(filter: AnalyticsFilter, list: AnalyticsProspectPage): SafeHtml | undefined {
  const pages = Math.max(1, Math.ceil(list.total / list.pageSize));
  if (pages <= 1 && list.page === 1) return undefined;
  const href = (page: number): string => linkTo(PAGE_PATH, formatAnalyticsQuery(filter, { page, pageSize: list.pageSize }));
  const item = (label: string, page: number, enabled: boolean, rel?: string): SafeHtml => (enabled
    ? html`<li class="page-item"><a class="page-link" href="${href(page)}"${rel === undefined ? undefined : html` rel="${rel}"`}>${label}</a></li>`
    : html`<li class="page-item disabled"><span class="page-link">${label}</span></li>`);
  return html`<nav aria-label="Pages of the latest sign-ups" class="d-flex flex-wrap align-items-center justify-content-between gap-2 mt-3">
<span class="small text-body-secondary" id="page-position">Page ${count(list.page)} of ${count(pages)}</span>
<ul class="pagination pagination-sm mb-0">
${item('First', 1, list.page > 1)}
${item('Previous', Math.min(list.page - 1, pages), list.page > 1, 'prev')}
${item('Next', list.page + 1, list.page < pages, 'next')}
${item('Last', pages, list.page < pages)}
</ul>
</nav>`;
}

function chartCard(title: string, chart: SafeHtml, id: string): SafeHtml {
  return html`<div class="col-12 col-lg-6"><figure class="card border-0 shadow-sm h-100 mb-0" id="${id}"><div class="card-body">
<figcaption class="h6 mb-3">${title}</figcaption>
${chart}
</div></figure></div>`;
}

function renderResult(result: NonNullable<AnalyticsPageState['result']>): SafeHtml {
  const { filter, summary, list } = result;
  const first = (list.page - 1) * list.pageSize + 1;
  const last = first + list.items.length - 1;
  return html`<div class="d-flex flex-wrap align-items-baseline justify-content-between gap-2 mb-3">
<p class="lead mb-0"><strong id="analytics-total" data-total="${summary.total}">${count(summary.total)}</strong> ${summary.total === 1 ? 'sign-up' : 'sign-ups'} match these filters.</p>
<a class="btn btn-outline-primary btn-sm" id="csv-download" href="${linkTo(CSV_PATH, formatAnalyticsQuery(filter))}" download>Download CSV</a>
</div>
<div class="row g-4 mb-4">
${chartCard('Sign-ups over time', renderTimeChart({ id: 'chart-over-time', title: 'Sign-ups over time' }, summary.byDay), 'over-time')}
${chartCard('By role', renderBarChart({ id: 'chart-by-role', title: 'Sign-ups by role' },
    summary.byRole.map((r) => ({ key: r.roleCode, label: r.roleName, count: r.count }))), 'by-role')}
${chartCard('By country', renderBarChart({ id: 'chart-by-country', title: 'Sign-ups by country' },
    summary.byCountry.map((c) => ({ key: c.countryCode, label: c.countryName, count: c.count }))), 'by-country')}
${chartCard('Top companies', renderBarChart({ id: 'chart-top-companies', title: 'Top companies' },
    summary.topCompanies.map((c) => ({ key: c.companyName, label: c.companyName, count: c.count }))), 'top-companies')}
</div>
<section class="card border-0 shadow-sm" aria-labelledby="latest-heading"><div class="card-body">
<div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2 mb-2">
<h2 class="h5 mb-0" id="latest-heading">Latest sign-ups</h2>
${list.items.length === 0 ? undefined : html`<span class="small text-body-secondary">${count(first)}–${count(last)} of ${count(list.total)}</span>`}
</div>
${renderTable(list)}
${renderPaging(filter, list)}
</div></section>`;
}

/**
 * `GET /app/Analytics`: the filter form (a GET form, so the filters are in the URL and
 * a view can be bookmarked), the total, four server-rendered SVG charts, the latest
 * sign-ups a page at a time (page links keep the filters) and a CSV link with the same
 * filters; or, for filters that cannot be used, the form with each error next to its
 * field. No script. Everything from the request or the store is escaped.
 */
export function renderAnalyticsPage(state: AnalyticsPageState): string {
  const hasErrors = state.errors !== undefined && Object.keys(state.errors).length > 0;
  return renderLayout({
    title: 'Analytics',
    active: 'analytics',
    main: html`<div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2 mb-3">
<h1 class="h3 mb-0">Sign-up analytics</h1>
<span class="small text-body-secondary">Days are UTC, from and to included. <a href="${PAGE_PATH}" id="clear-filters">Clear the filters</a></span>
</div>
${hasErrors ? html`<div class="alert alert-danger" role="alert" id="filter-errors">Please correct the highlighted filters and press Apply again.</div>` : undefined}
${renderFilters(state)}
${state.result === undefined ? undefined : renderResult(state.result)}`,
  });
}
