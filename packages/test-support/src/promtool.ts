import { spawnSync } from 'node:child_process';
import type { Context } from 'mocha';

/** True when `promtool` (Debian's `prometheus` package) is on the PATH. */
export function hasPromtool(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Skips the suite with one line when `promtool` is missing, as the other tests treat a
 * missing server; fails instead when `CI` is set, so CI never skips it silently.
 */
export function requirePromtool(ctx: Context): void {
  if (hasPromtool()) return;
  const message = 'promtool not found; install it (apt-get install prometheus, then stop the daemon it starts) to check the metrics';
  if (process.env.CI !== undefined && process.env.CI !== '') throw new Error(message);
  console.log(`      skipped: ${message}`);
  ctx.skip();
}

/** What `promtool check metrics` said of a Prometheus text exposition: exit status and every line it wrote. */
export function promtoolCheckMetrics(text: string): { readonly status: number | null; readonly output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

const SAMPLE_SUFFIXES = ['', '_bucket', '_sum', '_count', '_created', '_total', '_info'];

/**
 * The metric families a Prometheus text declares (`# TYPE`) that have no sample yet,
 * leaving out those `ignore` matches.
 */
export function familiesWithoutSamples(text: string, ignore?: RegExp): string[] {
  const lines = text.split('\n');
  const families = lines.filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]!);
  const sampled = new Set(lines.filter((line) => line !== '' && !line.startsWith('#')).map((line) => /^[^{ ]+/.exec(line)![0]));
  return families.filter((family) => ignore?.test(family) !== true && !SAMPLE_SUFFIXES.some((suffix) => sampled.has(`${family}${suffix}`)));
}
