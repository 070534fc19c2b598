import { expect } from 'chai';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import {
  ANALYTICS_QUERY_LIMITS,
  AnalyticsQueryInvalidError,
  type AnalyticsQuery,
  formatAnalyticsQuery,
  parseAnalyticsQuery,
  ReferenceData,
} from '../../../src/index.js';

const reference = ReferenceData.defaults();
const FIELDS = ['from', 'to', 'countryCode', 'roleCode', 'q', 'page', 'pageSize'] as const;

function fromEnvironment(name: string, fallback: number): number {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isSafeInteger(value) ? value : fallback;
}

// A fixed seed keeps runs repeatable; FC_SEED and FC_RUNS explore further.
const RUNS = { seed: fromEnvironment('FC_SEED', 42), numRuns: fromEnvironment('FC_RUNS', 2000) };

const FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
const DAY_MS = 86_400_000;

const day = fc.integer({ min: Date.UTC(1970, 0, 1) / DAY_MS, max: Date.UTC(2100, 11, 31) / DAY_MS })
  .map((days) => new Date(days * DAY_MS).toISOString().slice(0, 10));
const dateLike = fc.oneof(
  day,
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  fc.string({ maxLength: 12 }),
);
const codes = [...reference.countries.map((c) => c.countryCode), ...reference.roles.map((r) => r.roleCode)];
const codeLike = fc.oneof(fc.constantFrom(...codes, '', 'XXX', '__proto__', 'gbr'), fc.string({ maxLength: 4 }));
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 195, maxLength: 205 }),
);
const numberLike = fc.oneof(fc.integer({ min: -5, max: 1_000_005 }).map(String), fc.integer({ min: -5, max: 2000 }), fc.string({ maxLength: 8 }));
const valueOf = (arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 8, arbitrary }, { weight: 1, arbitrary: fc.array(arbitrary, { minLength: 2, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, true, {}) });
const anyQuery = fc.record({
  from: valueOf(dateLike), to: valueOf(dateLike), countryCode: valueOf(codeLike), roleCode: valueOf(codeLike),
  q: valueOf(text), page: valueOf(numberLike), pageSize: valueOf(numberLike),
}, { requiredKeys: [] });

const validFilter = fc.record({
  from: day, to: day, countryCode: fc.constantFrom(...reference.countries.map((c) => c.countryCode)),
  roleCode: fc.constantFrom(...reference.roles.map((r) => r.roleCode)),
  q: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).map((s) => s.trim()).filter((s) => s !== '' && !FORBIDDEN.test(s)),
}, { requiredKeys: [] }).map((filter) => (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to
  ? { ...filter, from: filter.to, to: filter.from } : filter));
const validPage = fc.record({
  page: fc.integer({ min: 1, max: ANALYTICS_QUERY_LIMITS.page }),
  pageSize: fc.integer({ min: 1, max: ANALYTICS_QUERY_LIMITS.pageSize }),
});

function attempt(query: Record<string, unknown>): AnalyticsQuery | AnalyticsQueryInvalidError {
  try {
    return parseAnalyticsQuery(query, reference);
  } catch (error) {
    if (error instanceof AnalyticsQueryInvalidError) return error;
    throw error;
  }
}

describe('parseAnalyticsQuery (properties)', () => {
  it('either returns a filter every store can take or names only known parameters with a message', () => {
    fc.assert(fc.property(anyQuery, (query) => {
      const result = attempt(query);
      if (result instanceof AnalyticsQueryInvalidError) {
        expect(Object.keys(result.errors)).to.not.be.empty;
        for (const [field, message] of Object.entries(result.errors)) {
          expect(FIELDS).to.include(field);
          expect(message).to.be.a('string').and.match(/\.$/);
        }
        return;
      }
      const { filter, page } = result;
      for (const date of [filter.from, filter.to]) {
        if (date !== undefined) expect(new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10)).to.equal(date);
      }
      if (filter.from !== undefined && filter.to !== undefined) expect(filter.from <= filter.to).to.equal(true);
      if (filter.countryCode !== undefined) expect(reference.country(filter.countryCode)).to.not.equal(undefined);
      if (filter.roleCode !== undefined) expect(reference.role(filter.roleCode)).to.not.equal(undefined);
      if (filter.q !== undefined) {
        expect([...filter.q].length).to.be.within(1, ANALYTICS_QUERY_LIMITS.searchText);
        expect(filter.q).to.not.match(FORBIDDEN);
        expect(filter.q.trim()).to.equal(filter.q);
      }
      expect(Number.isSafeInteger(page.page) && page.page >= 1 && page.page <= ANALYTICS_QUERY_LIMITS.page).to.equal(true);
      expect(Number.isSafeInteger(page.pageSize) && page.pageSize >= 1 && page.pageSize <= ANALYTICS_QUERY_LIMITS.pageSize).to.equal(true);
    }), RUNS);
  });

  it('rejects any parameter it reads when given twice', () => {
    fc.assert(fc.property(anyQuery, fc.constantFrom(...FIELDS), fc.string(), (query, field, value) => {
      const result = attempt({ ...query, [field]: [value, value] });
      expect(result).to.be.instanceOf(AnalyticsQueryInvalidError);
      expect((result as AnalyticsQueryInvalidError).errors[field]).to.match(/only once\.$/);
    }), RUNS);
  });

  it('reads back exactly what formatAnalyticsQuery wrote, through a URL', () => {
    fc.assert(fc.property(validFilter, validPage, (filter, page) => {
      const url = new URLSearchParams(formatAnalyticsQuery(filter, page));
      const query = Object.fromEntries(new URLSearchParams(url.toString()));
      expect(parseAnalyticsQuery(query, reference)).to.deep.equal({ filter, page });
    }), RUNS);
  });
});
