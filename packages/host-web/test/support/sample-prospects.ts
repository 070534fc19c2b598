import { randomUUID } from 'node:crypto';
import { ReferenceData, type IndexedProspect } from '@signup/domain';
import { InMemoryProspectIndex } from '@signup/adapters/memory';

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Margaret', 'Linus', 'Barbara', 'Dennis', 'Frances', 'Ken', 'Radia', 'Edsger', 'Hedy', 'Tim', 'Karen', 'Donald', 'Sophie'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Hamilton', 'Torvalds', 'Liskov', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'Dijkstra', 'Lamarr', 'Berners-Lee', 'Spärck Jones', 'Knuth', 'Wilson'];
const COMPANIES = ['Analytical Engines', 'Navy Labs', 'Bletchley Park', 'Apollo Guidance', 'Kernel Works', 'Abstraction Ltd', 'Bell Labs', 'Compilers & Co', 'Spanning Tree Inc', '', 'Shortest Path', 'Frequency Hopping', 'World Wide Web', 'Acorn Computers'];
// Weights, so the charts have a shape: more from some countries and roles than others.
const COUNTRY_WEIGHTS: Readonly<Record<string, number>> = { GBR: 9, USA: 7, IRE: 5, NOR: 3, SWE: 3, DMK: 2, IND: 4, TNL: 3, POL: 2, SPN: 2, PT: 1, BGM: 1, LIT: 1, '-': 2 };
const ROLE_WEIGHTS: Readonly<Record<string, number>> = { EN: 8, AC: 5, OP: 4, CO: 3, TR: 2, '-': 1 };

/** A repeatable pseudo-random sequence (mulberry32), so the sample looks the same every time. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted(next: () => number, weights: Readonly<Record<string, number>>): string {
  const entries = Object.entries(weights);
  let left = next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [code, weight] of entries) {
    left -= weight;
    if (left < 0) return code;
  }
  return entries[0]![0];
}

/** How many days, up to when, and the seed of the sample. */
export interface SampleOptions {
  readonly until?: Date;
  readonly days?: number;
  readonly seed?: number;
}

/**
 * `count` made-up sign-ups spread over the `days` days up to `until` (UTC), more of them
 * on weekdays, denormalised with the default reference data. The same arguments give the
 * same people, except the event ids.
 */
export function sampleProspects(count: number, options: SampleOptions = {}): IndexedProspect[] {
  const reference = ReferenceData.defaults();
  const next = random(options.seed ?? 7);
  const until = (options.until ?? new Date('2026-03-31T18:00:00Z')).getTime();
  const days = options.days ?? 60;
  const rows: IndexedProspect[] = [];
  while (rows.length < count) {
    const at = new Date(until - Math.floor(next() * days * 86_400_000));
    if ((at.getUTCDay() === 0 || at.getUTCDay() === 6) && next() < 0.6) continue;
    const first = FIRST_NAMES[Math.floor(next() * FIRST_NAMES.length)]!;
    const last = LAST_NAMES[Math.floor(next() * LAST_NAMES.length)]!;
    const country = reference.country(weighted(next, COUNTRY_WEIGHTS))!;
    const role = reference.role(weighted(next, ROLE_WEIGHTS))!;
    rows.push({
      eventId: randomUUID(),
      fullName: `${first} ${last}`,
      companyName: COMPANIES[Math.floor(next() ** 1.7 * COMPANIES.length)]!,
      emailAddress: `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '') + `${rows.length}@example.com`,
      countryCode: country.countryCode,
      countryName: country.countryName,
      roleCode: role.roleCode,
      roleName: role.roleName,
      signUpDate: at,
    });
  }
  return rows;
}

/**
 * The sample held by `InMemoryProspectIndex`, the in-memory analytics store the
 * prospect-index contract suite checks against the real stores, so a page over it
 * sorts and counts as it does over SQL or Elasticsearch.
 */
export async function sampleProspectIndex(prospects: readonly IndexedProspect[]): Promise<InMemoryProspectIndex> {
  const index = new InMemoryProspectIndex();
  await index.indexMany(prospects);
  return index;
}
