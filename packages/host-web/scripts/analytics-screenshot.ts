import 'reflect-metadata';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { appWithAnalytics } from '../test/support/app-with-analytics.js';
import { sampleProspectIndex, sampleProspects } from '../test/support/sample-prospects.js';

// Regenerates docs/analytics.png: the dashboard over made-up sign-ups, in a desktop-sized Chromium.
const OUTPUT = fileURLToPath(new URL('../../../../docs/analytics.png', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const CREDENTIALS = { username: 'admin', password: 'sample-password' };

const app = appWithAnalytics({ store: await sampleProspectIndex(sampleProspects(1234)), credentials: CREDENTIALS });
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ httpCredentials: CREDENTIALS, viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const { port } = server.address() as AddressInfo;
  await page.goto(`http://127.0.0.1:${port}/app/Analytics?from=2026-02-01&to=2026-03-31&pageSize=8`);
  await page.screenshot({ path: OUTPUT, fullPage: true });
  console.log(`Wrote ${OUTPUT}`);
} finally {
  await browser.close();
  server.close();
}
