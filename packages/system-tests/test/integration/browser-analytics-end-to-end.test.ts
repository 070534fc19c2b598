import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium } from '@signup/test-support/chromium';
import { chartCounts, countBy } from '@signup/test-support/dashboard-page';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@signup/test-support/postgres';
import {
  ProspectIndexTable, ProspectsTable, startIndexHandler, startSaveHandler, startWeb, type HostProcess, type WebHost,
} from '../../src/index.js';

const CREDENTIALS = { username: 'analyst', password: 'end-to-end analytics password' };

/** The people who sign up through the form: country and role as the form shows them. */
const PEOPLE = [
  { first: 'Ada', last: 'Lovelace', country: 'United Kingdom', countryCode: 'GBR', role: 'Engineer', roleCode: 'EN' },
  { first: 'Alan', last: 'Turing', country: 'United Kingdom', countryCode: 'GBR', role: 'Architect', roleCode: 'AC' },
  { first: 'Tim', last: 'Berners-Lee', country: 'United Kingdom', countryCode: 'GBR', role: 'Engineer', roleCode: 'EN' },
  { first: 'Ole-Johan', last: 'Dahl', country: 'Norway', countryCode: 'NOR', role: 'Architect', roleCode: 'AC' },
  { first: 'Kristen', last: 'Nygaard', country: 'Norway', countryCode: 'NOR', role: 'Trainer', roleCode: 'TR' },
  { first: 'Edsger', last: 'Dijkstra', country: 'The Netherlands', countryCode: 'TNL', role: 'Engineer', roleCode: 'EN' },
  { first: 'Grace', last: 'Hopper', country: 'United States', countryCode: 'USA', role: '--Not telling', roleCode: '-' },
] as const;

async function total(page: Page): Promise<number> {
  return Number(await page.locator('#analytics-total').getAttribute('data-total'));
}

describe('end to end in a browser: sign-ups through the form, the index handler started afterwards, the dashboard', function () {
  this.timeout(120_000);

  let nats: NatsServer;
  let database: TestDatabase;
  let web: WebHost;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const handlers: HostProcess[] = [];

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    requireChromium(this);
    nats = await NatsServer.start({ jetstream: true });
    database = await createTestDatabase();
    const env = { MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: database.url };
    web = await startWeb({
      ...env,
      Dependencies__IProspectSaveHandler: 'AsynchronousProspectSaveHandler',
      Analytics__Username: CREDENTIALS.username,
      Analytics__Password: CREDENTIALS.password,
    });
    handlers.push(await startSaveHandler(env));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await Promise.all([...handlers.map((handler) => handler.stop()), web?.process.stop()]);
    await database?.drop();
    await nats?.stop();
  });

  it('counts each person once per country and role after the index handler catches up, filters through the URL and downloads the CSV', async () => {
    context = await browser!.newContext({ acceptDownloads: true });
    const form = await context.newPage();
    for (const [i, person] of PEOPLE.entries()) {
      await form.goto(`${web.url}/app/SignUp`);
      await form.getByLabel('First Name').fill(person.first);
      await form.getByLabel('Last Name').fill(person.last);
      await form.getByLabel('Email Address').fill(`person${i}@example.com`);
      await form.getByLabel('Company Name').fill(i % 2 === 0 ? 'Analytical Engines' : 'Bletchley');
      await form.getByLabel('Country').selectOption({ label: person.country });
      await form.getByLabel('Your Main Role').selectOption({ label: person.role });
      await form.getByRole('button', { name: 'Go!' }).click();
      await form.waitForURL('**/app/ThankYou');
    }
    const prospects = new ProspectsTable(database.url);
    await prospects.waitForCount(PEOPLE.length).finally(() => prospects.close());

    const anonymous = await browser!.newContext();
    expect((await anonymous.request.get(`${web.url}/app/Analytics`)).status(), 'no credentials').to.equal(401);
    await anonymous.close();
    const signedIn = await browser!.newContext({ httpCredentials: CREDENTIALS, acceptDownloads: true });
    const page = await signedIn.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${web.url}/app/Analytics`);
    expect(await total(page), 'nothing indexed before the index handler runs').to.equal(0);

    handlers.push(await startIndexHandler({ MessageQueue__Url: nats.url, ConnectionStrings__SignUpDb: database.url }));
    const index = new ProspectIndexTable(database.url);
    await index.waitForCount(PEOPLE.length).finally(() => index.close());

    await page.reload();
    expect(await total(page)).to.equal(PEOPLE.length);
    expect(await chartCounts(page, 'chart-by-country')).to.deep.equal(countBy(PEOPLE, (person) => person.countryCode));
    expect(await chartCounts(page, 'chart-by-role')).to.deep.equal(countBy(PEOPLE, (person) => person.roleCode));

    await page.getByLabel('Country', { exact: true }).selectOption({ label: 'Norway' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/countryCode=NOR/);
    const norwegians = PEOPLE.filter((person) => person.countryCode === 'NOR');
    expect(await total(page)).to.equal(norwegians.length);
    expect(await chartCounts(page, 'chart-by-country')).to.deep.equal(new Map([['NOR', norwegians.length]]));
    expect(await chartCounts(page, 'chart-by-role')).to.deep.equal(countBy(norwegians, (person) => person.roleCode));

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#csv-download').click()]);
    const file = path.join(tmpdir(), `analytics-end-to-end-${process.pid}.csv`);
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').split('\r\n').filter((line) => line !== '');
    expect(lines[0]).to.equal('\uFEFFeventId,fullName,companyName,emailAddress,countryCode,countryName,roleCode,roleName,signUpDate');
    expect(lines.slice(1).map((line) => line.split(',')[1]).sort()).to.deep.equal(['Kristen Nygaard', 'Ole-Johan Dahl']);
    expect(lines.slice(1).every((line) => line.includes(',NOR,Norway,'))).to.equal(true);
    expect(problems, 'console errors (CSP violations, missing assets)').to.deep.equal([]);
    await signedIn.close();
  });
});
