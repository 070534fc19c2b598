import { afterEach, beforeEach, describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { AnalyticsQueryInvalidError } from '@signup/domain';
import { CONTENT_SECURITY_POLICY } from '../../../src/http/security-headers.js';
import { AUTHORIZATION, createAnalyticsTestApp, PROSPECT, SUMMARY, type AnalyticsTestApp } from './analytics-app.js';

const HOSTILE = '<script>alert(1)</script>"\'&`';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&#96;';

describe('analytics dashboard page', () => {
  let sandbox: sinon.SinonSandbox;
  let t: AnalyticsTestApp;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    t = createAnalyticsTestApp(sandbox);
  });

  afterEach(() => sandbox.restore());

  const page = (query = ''): request.Test => request(t.callback).get(`/app/Analytics${query}`).set('Authorization', AUTHORIZATION);

  it('shows the total, the four charts and the latest sign-ups with full emails', async () => {
    const res = await page().expect(200).expect('Content-Type', /html/);
    expect(res.text).to.match(/<strong id="analytics-total" data-total="3">3<\/strong> sign-ups/);
    for (const id of ['chart-over-time', 'chart-by-country', 'chart-by-role', 'chart-top-companies']) {
      expect(res.text).to.match(new RegExp(`<svg id="${id}" class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 400 \\d+" width="100%"`));
      expect(res.text).to.contain(`<title id="${id}-title">`).and.contain(`<desc id="${id}-desc">`);
    }
    expect(res.text).to.contain('<g class="chart-row" data-key="GBR" data-count="2">');
    expect(res.text).to.contain('<g class="chart-row" data-key="EN" data-count="3">');
    expect(res.text).to.contain('<desc id="chart-by-country-desc">United Kingdom: 2; United States: 1.</desc>');
    // The days between are filled in: 2026-03-02 had none.
    expect(res.text).to.contain('data-period="2026-03-02" data-count="0"');
    expect(res.text).to.contain(`<tr data-event-id="${PROSPECT.eventId}">`).and.contain('<td class="text-break">ada@example.com</td>');
    expect(res.text).to.contain('<td class="text-nowrap">2026-03-03 10:15</td>');
  });

  it('shows a page the store refuses as a 400 with the reason next to the form, not a server error', async () => {
    t.list.rejects(new AnalyticsQueryInvalidError({ page: 'Elasticsearch pages only the first 10,000 sign-ups: choose page 200 or lower.' }));

    const res = await page('?page=201').expect(400).expect('Content-Type', /html/);

    expect(res.text).to.contain('Elasticsearch pages only the first 10,000 sign-ups: choose page 200 or lower.');
    expect(res.text).to.not.contain('id="analytics-total"');
  });

  it('carries the security headers, a CSP and no script, and is not cached', async () => {
    const res = await page().expect(200).expect('Cache-Control', 'no-store');
    expect(res.headers['content-security-policy']).to.equal(CONTENT_SECURITY_POLICY);
    expect(res.headers['x-frame-options']).to.equal('DENY');
    expect(res.text).to.not.match(/<script/i).and.not.match(/ on[a-z]+=/i).and.not.match(/ style=/i);
    expect(res.text).to.not.match(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('keeps the filters in the URL: a GET form holding the values, and the CSV link with the same filters', async () => {
    const res = await page('?from=2026-03-01&to=2026-03-31&countryCode=GBR&roleCode=EN&q=Ada%20%26%20Co').expect(200);
    expect(res.text).to.contain('<form id="analytics-filters" class="card border-0 shadow-sm mb-4" method="get" action="/app/Analytics"');
    expect(res.text).to.contain('id="from" name="from" value="2026-03-01"').and.contain('id="to" name="to" value="2026-03-31"');
    expect(res.text).to.contain('<option value="GBR" selected>United Kingdom</option>');
    expect(res.text).to.contain('<option value="EN" selected>Engineer</option>');
    expect(res.text).to.contain('id="q" name="q" value="Ada &amp; Co"');
    expect(res.text).to.contain('href="/api/analytics/prospects.csv?from=2026-03-01&amp;to=2026-03-31&amp;countryCode=GBR&amp;roleCode=EN&amp;q=Ada+%26+Co"');
    expect(t.summary.firstCall.args[0]).to.deep.equal({ from: '2026-03-01', to: '2026-03-31', countryCode: 'GBR', roleCode: 'EN', q: 'Ada & Co' });
  });

  it('offers all countries and roles, and "All" when no filter is set', async () => {
    const res = await page().expect(200);
    expect(res.text).to.contain('<option value="" selected>All countries</option><option value="-">--Not telling</option>');
    expect(res.text).to.contain('<option value="" selected>All roles</option>');
    expect(res.text).to.contain('<option value="POL">Poland</option>').and.contain('<option value="OP">IT Ops</option>');
  });

  it('links the pages of the list keeping the filters and the page size', async () => {
    t.list.callsFake((_filter, request_) => Promise.resolve({ total: 95, page: request_.page, pageSize: request_.pageSize, items: [PROSPECT] }));
    const res = await page('?countryCode=USA&pageSize=20&page=2').expect(200);
    expect(t.list.firstCall.args).to.deep.equal([{ countryCode: 'USA' }, { page: 2, pageSize: 20 }]);
    expect(res.text).to.contain('Page 2 of 5');
    expect(res.text).to.contain('href="/app/Analytics?countryCode=USA&amp;pageSize=20" rel="prev">Previous</a>');
    expect(res.text).to.contain('href="/app/Analytics?countryCode=USA&amp;pageSize=20&amp;page=3" rel="next">Next</a>');
    expect(res.text).to.contain('href="/app/Analytics?countryCode=USA&amp;pageSize=20&amp;page=5">Last</a>');
    expect(res.text).to.contain('<input type="hidden" name="pageSize" value="20">');
  });

  it('escapes hostile names in the charts and the table', async () => {
    t.summary.resolves({
      ...SUMMARY,
      byCountry: [{ countryCode: HOSTILE, countryName: HOSTILE, count: 1 }],
      byRole: [{ roleCode: HOSTILE, roleName: HOSTILE, count: 1 }],
      topCompanies: [{ companyName: HOSTILE, count: 1 }],
    });
    t.list.resolves({ total: 1, page: 1, pageSize: 50, items: [{ ...PROSPECT, eventId: HOSTILE, fullName: HOSTILE, companyName: HOSTILE, emailAddress: HOSTILE, countryName: HOSTILE, roleName: HOSTILE }] });
    const res = await page().expect(200);
    expect(res.text).to.not.contain('<script>');
    expect(res.text).to.contain(`data-key="${ESCAPED}"`);
    expect(res.text).to.contain(`<td>${ESCAPED}</td>`);
    expect(res.text).to.contain(`<title>${ESCAPED}: 1</title>`);
    expect(res.text).to.contain(`<desc id="chart-top-companies-desc">${ESCAPED}: 1.</desc>`);
    expect(res.text.split(ESCAPED).length - 1).to.be.at.least(12);
  });

  it('shortens long labels in the charts and keeps them whole in the tooltip', async () => {
    const long = 'The Extremely Long Company Name Of Many Words Ltd';
    t.summary.resolves({ ...SUMMARY, topCompanies: [{ companyName: long, count: 4 }] });
    const res = await page().expect(200);
    expect(res.text).to.contain('>The Extremely Long…</text>');
    expect(res.text).to.contain(`<title>${long}: 4</title>`);
  });

  it('says so when nothing matches', async () => {
    t.summary.resolves({ total: 0, byDay: [], byCountry: [], byRole: [], topCompanies: [] });
    t.list.resolves({ total: 0, page: 1, pageSize: 50, items: [] });
    const res = await page('?q=nobody').expect(200);
    expect(res.text).to.contain('data-total="0">0</strong> sign-ups');
    expect(res.text).to.contain('No sign-ups match these filters.');
  });

  describe('with filters that cannot be used', () => {
    it('answers 400 with each error next to its field, the values kept and escaped, and reads nothing', async () => {
      const res = await page(`?from=2026-02-30&to=x&countryCode=XXX&roleCode=EN&q=${encodeURIComponent(`${HOSTILE}\n`)}x`)
        .set('Accept', 'text/html').expect(400).expect('Content-Type', /html/);
      expect(res.text).to.contain('id="filter-errors"');
      expect(res.text).to.contain('<div id="from-error" class="invalid-feedback">The start date 2026-02-30 is not a day of the calendar.</div>');
      expect(res.text).to.contain('<div id="to-error" class="invalid-feedback">Enter the end date as year-month-day, for example 2024-03-31.</div>');
      expect(res.text).to.contain('<div id="countryCode-error" class="invalid-feedback">Choose a country from the list.</div>');
      expect(res.text).to.contain('id="q-error"');
      expect(res.text).to.contain('id="from" name="from" value="2026-02-30" aria-invalid="true" aria-describedby="from-error"');
      expect(res.text).to.contain('<option value="EN" selected>Engineer</option>');
      expect(res.text).to.contain(`value="${ESCAPED}`).and.not.contain('<script>');
      expect(res.text).to.not.contain('id="analytics-total"');
      expect(t.summary.called || t.list.called).to.equal(false);
    });

    it('names a bad page or page size under the form', async () => {
      const res = await page('?page=0&pageSize=5000').expect(400);
      expect(res.text).to.contain('id="paging-error"').and.contain('The page number must be a whole number from 1 to 1,000,000.');
    });
  });
});
