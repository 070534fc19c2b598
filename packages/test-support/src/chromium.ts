import { existsSync } from 'node:fs';
import type { Context } from 'mocha';

/** Debian's Chromium, which the browser tests drive through playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags the browser tests start headless Chromium with. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Skips the test (one line) when Chromium is missing; in CI a missing browser fails instead. */
export function requireChromium(ctx: Context): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const message = `Chromium not found at ${CHROMIUM_PATH}; install it (apt-get install chromium) to run the browser test`;
  if (process.env.CI !== undefined && process.env.CI !== '') throw new Error(message);
  console.log(`      skipped: ${message}`);
  ctx.skip();
}
