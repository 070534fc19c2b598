import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium } from '@signup/test-support/chromium';
import { startWeb, waitUntil, type WebHost } from '../../src/index.js';

/**
 * The all-in-one as `Dependencies__IProspectSaveHandler=SynchronousProspectSaveHandler npm start`
 * runs it: one process on SQLite, no MessageQueue:Url, no Analytics:Password. The synchronous save
 * writes the outbox, the relay publishes to the in-process bus, and the index handler in the
 * same process feeds the dashboard.
 */
describe('the all-in-one in synchronous mode, in a browser', function () {
  this.timeout(120_000);
  let folder: string;
  let web: WebHost;
  let browser: Browser | undefined;

  before(async function () {
    requireChromium(this);
    folder = mkdtempSync(path.join(tmpdir(), 'signup-sync-all-in-one-'));
    web = await startWeb({
      Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler',
      ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}`,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  });

  after(async () => {
    await browser?.close();
    await web?.process.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('counts a sign-up made through the form on the dashboard', async () => {
    // Its output is not a terminal, so the generated password is in a file readable by its owner only.
    const line = await web.process.waitForLine(/with the password generated at start in \S+ \(readable by this user only/);
    const password = readFileSync(/generated at start in (\S+) /.exec(line)![1]!, 'utf8').trim();
    const context = await browser!.newContext({ httpCredentials: { username: 'admin', password } });
    try {
      const page = await context.newPage();
      await page.goto(`${web.url}/app/SignUp`);
      await page.getByLabel('First Name').fill('Barbara');
      await page.getByLabel('Last Name').fill('Liskov');
      await page.getByLabel('Email Address').fill('barbara@example.com');
      await page.getByLabel('Company Name').fill('MIT');
      await page.getByLabel('Country').selectOption({ label: 'United States' });
      await page.getByLabel('Your Main Role').selectOption({ label: 'Architect' });
      await page.getByRole('button', { name: 'Go!' }).click();
      await page.waitForURL('**/app/ThankYou');

      const total = await waitUntil(async () => {
        await page.goto(`${web.url}/app/Analytics`);
        const shown = Number(await page.locator('#analytics-total').getAttribute('data-total'));
        return shown > 0 ? shown : undefined;
      }, { timeoutMs: 20_000, intervalMs: 250, description: 'the dashboard to count the sign-up' });
      expect(total).to.equal(1);
      expect(await page.getByText('Barbara Liskov').count(), 'the latest sign-ups list it').to.be.greaterThan(0);
      expect(web.process.matching('Outbox: synchronous sign-ups are written to ProspectOutbox')).to.have.length(1);
    } finally {
      await context.close();
    }
  });
});
