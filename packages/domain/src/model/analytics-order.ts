/** Code-point order of two strings (not locale order), as the analytics stores sort names and keys. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order of every count list of `AnalyticsSummary` (`byCountry`, `byRole`,
 * `topCompanies`): by count descending, then by the item's name in code-point order.
 * Every analytics store (SQL, Elasticsearch, in memory) sorts with it, so they agree.
 */
export function byCountThenName<T extends { readonly count: number }>(name: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => b.count - a.count || compareCodePoints(name(a), name(b));
}
