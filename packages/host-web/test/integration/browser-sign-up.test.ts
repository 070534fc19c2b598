import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH, freePort, requireChromium, startWebProcess, type WebProcess } from './web-process.js';
import { waitUntil } from '@signup/test-support/wait-until';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface ProspectRow {
  FirstName: string;
  LastName: string;
  EmailAddress: string;
  CompanyName: string;
  CountryCode: string;
  RoleCode: string;
}

describe('signup-web in a browser (all-in-one on SQLite)', function () {
  this.timeout(60_000);
  let folder: string;
  let web: WebProcess | undefined;
  let browser: Browser | undefined;

  before(async function () {
    requireChromium(this);
    folder = mkdtempSync(path.join(tmpdir(), 'signup-web-browser-'));
    web = await startWebProcess(folder, {
      ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}`,
      Web__Port: String(await freePort()),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    const code = await web?.stop();
    if (web !== undefined) expect(code, web.output()).to.equal(0);
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('signs a person up through the form and stores them in the database', async () => {
    const page = await browser!.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') violations.push(message.text());
    });
    await page.goto(`${web!.url}/app/SignUp`);
    await page.getByLabel('First Name').fill('Grace');
    await page.getByLabel('Last Name').fill('Hopper');
    await page.getByLabel('Email Address').fill('grace.hopper@example.com');
    await page.getByLabel('Company Name').fill('Navy <Labs> & Co');
    await page.getByLabel('Country').selectOption({ label: 'United States' });
    await page.getByLabel('Your Main Role').selectOption({ label: 'Engineer' });
    await page.screenshot({ path: path.join(tmpdir(), 'signup-form.png'), fullPage: true });
    await page.getByRole('button', { name: 'Go!' }).click();

    await page.waitForURL('**/app/ThankYou');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Thank you for signing up!');
    expect(violations, 'console errors (CSP violations, missing assets)').to.deep.equal([]);

    const db = new Database(path.join(folder, 'signup.db'), { readonly: true, fileMustExist: true });
    try {
      const row = await waitUntil(() => db.prepare('SELECT * FROM Prospects WHERE EmailAddress = ?')
        .get('grace.hopper@example.com') as ProspectRow | undefined);
      expect(row).to.include({ FirstName: 'Grace', LastName: 'Hopper', CompanyName: 'Navy <Labs> & Co', CountryCode: 'USA', RoleCode: 'EN' });
    } finally {
      db.close();
    }
  });

  it('shows the errors next to the fields and keeps the values when the form is incomplete', async () => {
    const page = await browser!.newPage();
    await page.goto(`${web!.url}/app/SignUp`);
    await page.getByLabel('First Name').fill('Alan');
    await page.getByLabel('Last Name').fill('Turing');
    await page.getByLabel('Email Address').fill('alan@example');
    await page.getByRole('button', { name: 'Go!' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#emailAddress-error').textContent()).to.contain('valid email address');
    expect(await page.getByLabel('First Name').inputValue()).to.equal('Alan');
    await page.screenshot({ path: path.join(tmpdir(), 'signup-form-errors.png'), fullPage: true });
  });
});
