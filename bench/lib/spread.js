import { readFileSync } from 'node:fs';

/**
 * @typedef {object} Spread
 * @property {number} median
 * @property {number} min
 * @property {number} max
 * @property {number[]} values in the order measured (round 1 first)
 */

/**
 * The median, minimum and maximum of figures measured in alternating rounds. With an
 * even count the median is the mean of the two middle values.
 *
 * @param {number[]} values
 * @returns {Spread}
 */
export function spread(values) {
  if (values.length === 0) throw new RangeError('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], values: [...values] };
}

/**
 * The spread of a ratio measured round by round: numerator and denominator of the
 * same round, never one round's best against another's.
 *
 * @param {number[]} numerators
 * @param {number[]} denominators
 * @returns {Spread}
 */
export function ratioSpread(numerators, denominators) {
  if (numerators.length !== denominators.length) throw new RangeError(`${numerators.length} numerators for ${denominators.length} denominators`);
  return spread(numerators.map((value, index) => value / denominators[index]));
}

/**
 * The result of the round whose `figure` is the median (the lower middle one when
 * the count is even), to show as the section's row.
 *
 * @template T
 * @param {T[]} results
 * @param {(result: T) => number} figure
 * @returns {T}
 */
export function medianResult(results, figure) {
  const sorted = [...results].sort((a, b) => figure(a) - figure(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The machine's load average (1, 5 and 15 minutes) from `/proc/loadavg`; undefined
 * where there is none.
 *
 * @returns {[number, number, number] | undefined}
 */
export function loadAverage() {
  try {
    const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    return [one, five, fifteen];
  } catch {
    return undefined;
  }
}

/**
 * Runs `steps` in turn, `rounds` times over (A, B, A, B, …), so that a change in the
 * machine's load falls on every step alike; returns each step's results in round order.
 *
 * @template {Record<string, (round: number) => Promise<unknown>>} S
 * @param {number} rounds
 * @param {S} steps
 * @returns {Promise<{ [K in keyof S]: Awaited<ReturnType<S[K]>>[] }>}
 */
export async function alternate(rounds, steps) {
  const results = Object.fromEntries(Object.keys(steps).map((key) => [key, []]));
  for (let round = 1; round <= rounds; round += 1) {
    for (const [key, step] of Object.entries(steps)) results[key].push(await step(round));
  }
  return /** @type {any} */ (results);
}
