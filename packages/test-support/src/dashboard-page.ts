import type { Page } from 'playwright-core';

/** The bars of one dashboard chart (`#chart-by-country`, ...): each bar's `data-key` and its `data-count`. */
export async function chartCounts(page: Page, chart: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const row of await page.locator(`#${chart} .chart-row`).all()) {
    counts.set(await row.getAttribute('data-key') ?? '', Number(await row.getAttribute('data-count')));
  }
  return counts;
}

/** How many of each key: what a chart should show for these rows. */
export function countBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return counts;
}
