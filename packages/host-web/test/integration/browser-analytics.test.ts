import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import { chromium, type Browser } from 'playwright-core';
import { appWithAnalytics } from '../support/app-with-analytics.js';
import { sampleProspectIndex, sampleProspects } from '../support/sample-prospects.js';
import { chartCounts, countBy } from '@signup/test-support/dashboard-page';
import { CHROMIUM_PATH, requireChromium } from './web-process.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CREDENTIALS = { username: 'analyst', password: 'browser-test-password' };

describe('the analytics dashboard in a browser', function () {
  this.timeout(60_000);
  const rows = sampleProspects(240, { seed: 11 });
  let server: Server | undefined;
  let url: string;
  let browser: Browser | undefined;

  before(async function () {
    requireChromium(this);
    const app = appWithAnalytics({ store: await sampleProspectIndex(rows), credentials: CREDENTIALS });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('asks for credentials and refuses wrong ones', async () => {
    // Headless Chromium shows no sign-in prompt; the browser context's request API sees the answer itself.
    const anonymous = await browser!.newContext();
    const response = await anonymous.request.get(`${url}/app/Analytics`);
    expect(response.status()).to.equal(401);
    expect(response.headers()['www-authenticate']).to.equal('Basic realm="SignUp analytics"');
    const wrong = await browser!.newContext({ httpCredentials: { username: CREDENTIALS.username, password: 'guess' } });
    expect((await wrong.request.get(`${url}/app/Analytics`)).status()).to.equal(401);
    await Promise.all([anonymous.close(), wrong.close()]);
  });

  it('shows the totals per country and role, filters through the URL and downloads the CSV', async () => {
    const context = await browser!.newContext({ httpCredentials: CREDENTIALS, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${url}/app/Analytics`);

    expect(await page.locator('#analytics-total').getAttribute('data-total')).to.equal(String(rows.length));
    expect(await chartCounts(page, 'chart-by-country')).to.deep.equal(countBy(rows, (row) => row.countryCode));
    expect(await chartCounts(page, 'chart-by-role')).to.deep.equal(countBy(rows, (row) => row.roleCode));
    expect(await page.locator('#latest-sign-ups tbody tr').count()).to.equal(50);

    await page.getByLabel('Country', { exact: true }).selectOption({ label: 'United Kingdom' });
    await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Engineer' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/countryCode=GBR/);
    const filtered = rows.filter((row) => row.countryCode === 'GBR' && row.roleCode === 'EN');
    expect(new URL(page.url()).searchParams.get('roleCode')).to.equal('EN');
    expect(await page.locator('#analytics-total').getAttribute('data-total')).to.equal(String(filtered.length));
    expect(filtered.length).to.be.below(rows.length);
    expect(await chartCounts(page, 'chart-by-country')).to.deep.equal(new Map([['GBR', filtered.length]]));

    // The URL alone gives the same view: it can be bookmarked and shared.
    const shared = await context.newPage();
    await shared.goto(page.url());
    expect(await shared.locator('#analytics-total').getAttribute('data-total')).to.equal(String(filtered.length));

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv-download').click()]);
    expect(download.suggestedFilename()).to.equal('sign-ups.csv');
    const file = path.join(tmpdir(), `analytics-${process.pid}.csv`);
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').split('\r\n').filter((line) => line !== '');
    expect(lines[0]).to.equal('\uFEFFeventId,fullName,companyName,emailAddress,countryCode,countryName,roleCode,roleName,signUpDate');
    expect(lines).to.have.length(filtered.length + 1);
    expect(lines.slice(1).every((line) => line.includes(',GBR,United Kingdom,EN,Engineer,'))).to.equal(true);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(tmpdir(), 'analytics-phone.png'), fullPage: true });
    expect(problems, 'console errors (CSP violations, missing assets)').to.deep.equal([]);
    await context.close();
  });
});
