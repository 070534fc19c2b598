import type { Parameters as FastCheckParameters } from 'fast-check';

/** The seed every fuzz run starts from unless `FC_SEED` says otherwise, so a run is reproducible. */
export const DEFAULT_FUZZ_SEED = 20261123;

function integerFromEnvironment(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, not "${raw}"`);
  return value;
}

/** The seed of this run: `FC_SEED` when set, else `DEFAULT_FUZZ_SEED`. */
export function fuzzSeed(): number {
  return integerFromEnvironment('FC_SEED') ?? DEFAULT_FUZZ_SEED;
}

/**
 * fast-check parameters for one property: the run's seed and `runs` cases
 * (`FC_RUNS` overrides every property's count). fast-check prints the seed and
 * the path of a failing case, so `FC_SEED=<seed>` replays it.
 */
export function fuzzParameters<T>(runs: number): FastCheckParameters<T> {
  return { seed: fuzzSeed(), numRuns: integerFromEnvironment('FC_RUNS') ?? runs };
}

/** Counts the valid and invalid cases of a run, so a test can prove it exercised both. */
export class CaseTally {
  valid = 0;
  invalid = 0;

  get total(): number {
    return this.valid + this.invalid;
  }

  count(valid: boolean): void {
    if (valid) this.valid += 1;
    else this.invalid += 1;
  }
}
