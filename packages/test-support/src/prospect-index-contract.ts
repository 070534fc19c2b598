import { randomUUID } from 'node:crypto';
import {
  TOP_COMPANIES,
  type AnalyticsFilter, type AnalyticsProspect, type IndexedProspect, type IProspectAnalytics, type IProspectIndex,
} from '@signup/domain';
import { expect } from 'chai';
import { after, before, beforeEach, describe, it } from 'mocha';

/** An analytics store to run the contract against, and how to clean it up. */
export interface ProspectIndexUnderTest {
  /** The store, both sides: what the index handler writes and what the dashboard reads. */
  readonly store: IProspectIndex & IProspectAnalytics;
  /** Makes what was written visible to reads (an Elasticsearch refresh); nothing to do for most stores. */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The page size the contract reads with when it checks that `stream` crosses chunk
 * boundaries: make the store under test read its stream in chunks this small.
 */
export const CONTRACT_STREAM_CHUNK = 4;

/** A document with a fresh event id; the codes and names are those of the default reference data. */
export function newIndexedProspect(overrides: Partial<IndexedProspect> = {}): IndexedProspect {
  return {
    eventId: randomUUID(),
    fullName: 'Ada Lovelace',
    companyName: 'Analytical Engines',
    emailAddress: 'ada@example.com',
    countryCode: 'GBR',
    countryName: 'United Kingdom',
    roleCode: 'EN',
    roleName: 'Engineer',
    signUpDate: new Date('2026-11-23T10:00:00.000Z'),
    ...overrides,
  };
}

const GBR = { countryCode: 'GBR', countryName: 'United Kingdom' };
const USA = { countryCode: 'USA', countryName: 'United States' };
const PT = { countryCode: 'PT', countryName: 'Portugal' };
const NOR = { countryCode: 'NOR', countryName: 'Norway' };
const NO_COUNTRY = { countryCode: '-', countryName: '--Not telling' };
const EN = { roleCode: 'EN', roleName: 'Engineer' };
const AC = { roleCode: 'AC', roleName: 'Architect' };
const CO = { roleCode: 'CO', roleName: 'Consultant' };
const TR = { roleCode: 'TR', roleName: 'Trainer' };
const OP = { roleCode: 'OP', roleName: 'IT Ops' };
const NO_ROLE = { roleCode: '-', roleName: '--Not telling' };

function person(n: number, at: string, fullName: string, companyName: string, emailAddress: string,
  country: { countryCode: string; countryName: string }, role: { roleCode: string; roleName: string }): IndexedProspect {
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    fullName, companyName, emailAddress, ...country, ...role, signUpDate: new Date(at),
  };
}

/**
 * Nine sign-ups over three UTC days, two of them a millisecond either side of midnight,
 * with the characters a LIKE pattern or a query language would treat specially in
 * names and companies. `FIXTURE[i]` is sign-up i + 1; the newest is the last.
 */
const FIXTURE: readonly IndexedProspect[] = [
  person(1, '2026-11-20T00:00:00.000Z', 'Ada Lovelace', 'Analytical Engines', 'ada@example.com', GBR, EN),
  person(2, '2026-11-20T12:00:00.000Z', 'Grace Hopper', 'Navy', 'grace@navy.example', GBR, AC),
  person(3, '2026-11-20T23:59:59.999Z', 'Alan Turing', 'Bletchley', 'alan@bletchley.example', USA, EN),
  person(4, '2026-11-21T00:00:00.000Z', 'Edsger Dijkstra', 'Analytical Engines', 'edsger@example.org', USA, CO),
  person(5, '2026-11-21T09:30:00.000Z', 'Barbara Liskov', '', 'barbara@mit.example', PT, EN),
  person(6, '2026-11-22T10:00:00.000Z', 'Donald Knuth', 'Analytical Engines', 'don@stanford.example', GBR, EN),
  person(7, '2026-11-22T11:00:00.000Z', 'Percy Cent', '100% Pure_Data', 'percy@example.com', GBR, TR),
  person(8, '2026-11-22T12:00:00.000Z', 'Miles O\'Brien', 'Back\\Slash "Co"', 'miles@example.com', NOR, OP),
  person(9, '2026-11-22T13:00:00.000Z', 'Stella Gazer', 'Stars*{Inc}', 'stella@example.com', NO_COUNTRY, NO_ROLE),
];

/** The event ids of sign-ups by number (1-based), newest first as the list gives them. */
function newestFirst(...numbers: number[]): string[] {
  return numbers.sort((a, b) => b - a).map((n) => FIXTURE[n - 1]!.eventId);
}

async function collect(rows: AsyncIterable<AnalyticsProspect>): Promise<AnalyticsProspect[]> {
  const all: AnalyticsProspect[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

/**
 * The behaviour every analytics store (`IProspectIndex` and `IProspectAnalytics`
 * together) must have, as a mocha suite. `make` runs once for the suite; the suite
 * empties the store with `clear()` before each test, so give it a store of its own.
 */
export function prospectIndexContract(name: string, make: () => Promise<ProspectIndexUnderTest>): void {
  describe(`${name} (IProspectIndex and IProspectAnalytics contract)`, function () {
    let subject: ProspectIndexUnderTest | undefined;
    const store = (): IProspectIndex & IProspectAnalytics => subject!.store;
    const index = async (documents: readonly IndexedProspect[]): Promise<void> => {
      const results = await store().indexMany(documents);
      expect(results.map((result) => result.status)).to.deep.equal(documents.map(() => 'indexed'));
      await subject!.settle?.();
    };
    const listed = async (filter: AnalyticsFilter): Promise<string[]> =>
      (await store().list(filter, { page: 1, pageSize: 1000 })).items.map((item) => item.eventId);

    before(async function () {
      subject = await make();
    });

    after(async function () {
      await subject?.close();
    });

    beforeEach(async function () {
      await store().clear();
      await subject!.settle?.();
    });

    describe('indexMany', function () {
      it('returns one result per document, in input order, echoing each event id', async function () {
        const documents = [newIndexedProspect(), newIndexedProspect(), newIndexedProspect()];
        const results = await store().indexMany(documents);
        expect(results).to.deep.equal(documents.map((d) => ({ eventId: d.eventId, status: 'indexed' })));
      });

      it('keeps one document per event id when a batch repeats itself and is indexed again', async function () {
        const [a, b] = [newIndexedProspect(), newIndexedProspect({ fullName: 'Grace Hopper' })];
        const results = await store().indexMany([a, b, a]);
        expect(results.map((r) => r.eventId)).to.deep.equal([a.eventId, b.eventId, a.eventId]);
        await index([b, a]);
        expect((await store().summary({})).total).to.equal(2);
        expect((await listed({})).sort()).to.deep.equal([a.eventId, b.eventId].sort());
      });

      it('treats event ids that differ only in letter case as one document, echoing each as given', async function () {
        const document = newIndexedProspect();
        const upper = { ...document, eventId: document.eventId.toUpperCase() };
        await index([document]);
        expect(await store().indexMany([upper])).to.deep.equal([{ eventId: upper.eventId, status: 'indexed' }]);
        await subject!.settle?.();
        expect(await listed({})).to.deep.equal([document.eventId]);
      });

      it('returns an empty list for an empty batch', async function () {
        expect(await store().indexMany([])).to.deep.equal([]);
      });
    });

    describe('clear', function () {
      it('removes every document', async function () {
        await index(FIXTURE);
        await store().clear();
        await subject!.settle?.();
        expect(await store().summary({})).to.deep.equal({ total: 0, byDay: [], byCountry: [], byRole: [], topCompanies: [] });
        expect(await store().list({}, { page: 1, pageSize: 50 })).to.deep.equal({ total: 0, page: 1, pageSize: 50, items: [] });
      });
    });

    describe('summary', function () {
      it('counts the total, per UTC day ascending, per country and role by count then name, and the top companies without blanks', async function () {
        await index(FIXTURE);
        expect(await store().summary({})).to.deep.equal({
          total: 9,
          byDay: [{ date: '2026-11-20', count: 3 }, { date: '2026-11-21', count: 2 }, { date: '2026-11-22', count: 4 }],
          byCountry: [
            { ...GBR, count: 4 }, { ...USA, count: 2 }, { ...NO_COUNTRY, count: 1 }, { ...NOR, count: 1 }, { ...PT, count: 1 },
          ],
          byRole: [
            { ...EN, count: 4 }, { ...NO_ROLE, count: 1 }, { ...AC, count: 1 }, { ...CO, count: 1 }, { ...OP, count: 1 },
            { ...TR, count: 1 },
          ],
          topCompanies: [
            { companyName: 'Analytical Engines', count: 3 }, { companyName: '100% Pure_Data', count: 1 },
            { companyName: 'Back\\Slash "Co"', count: 1 }, { companyName: 'Bletchley', count: 1 },
            { companyName: 'Navy', count: 1 }, { companyName: 'Stars*{Inc}', count: 1 },
          ],
        });
      });

      it(`lists at most ${TOP_COMPANIES} companies, the most frequent first, ties by name`, async function () {
        const letters = 'ABCDEFGHIJKL'.split('');
        const documents = letters.flatMap((letter, i) => Array.from({ length: i < 2 ? 3 : 1 },
          () => newIndexedProspect({ companyName: `Company ${letter}` })));
        await index([...documents, newIndexedProspect({ companyName: '' }), newIndexedProspect({ companyName: '' })]);
        const { topCompanies, total } = await store().summary({});
        expect(total).to.equal(documents.length + 2);
        expect(topCompanies).to.deep.equal(letters.slice(0, TOP_COMPANIES)
          .map((letter, i) => ({ companyName: `Company ${letter}`, count: i < 2 ? 3 : 1 })));
      });

      it('applies the filters to every aggregate', async function () {
        await index(FIXTURE);
        expect(await store().summary({ countryCode: 'GBR', roleCode: 'EN' })).to.deep.equal({
          total: 2,
          byDay: [{ date: '2026-11-20', count: 1 }, { date: '2026-11-22', count: 1 }],
          byCountry: [{ ...GBR, count: 2 }],
          byRole: [{ ...EN, count: 2 }],
          topCompanies: [{ companyName: 'Analytical Engines', count: 2 }],
        });
      });
    });

    describe('filters', function () {
      const cases: { title: string; filter: AnalyticsFilter; expected: number[] }[] = [
        { title: 'no filter', filter: {}, expected: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
        { title: 'from: that UTC day and later, from its first millisecond', filter: { from: '2026-11-21' }, expected: [4, 5, 6, 7, 8, 9] },
        { title: 'to: that UTC day and earlier, to its last millisecond', filter: { to: '2026-11-20' }, expected: [1, 2, 3] },
        { title: 'from and to the same day: that day', filter: { from: '2026-11-21', to: '2026-11-21' }, expected: [4, 5] },
        { title: 'a range with no sign-ups: nothing', filter: { from: '2026-12-01', to: '2026-12-31' }, expected: [] },
        { title: 'the widest range a query accepts, 1900-01-01 to 9998-12-31', filter: { from: '1900-01-01', to: '9998-12-31' }, expected: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
        { title: 'to the last day a query accepts', filter: { to: '9998-12-31' }, expected: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
        { title: 'countryCode', filter: { countryCode: 'GBR' }, expected: [1, 2, 6, 7] },
        { title: 'countryCode "-" (not telling)', filter: { countryCode: '-' }, expected: [9] },
        { title: 'roleCode', filter: { roleCode: 'EN' }, expected: [1, 3, 5, 6] },
        { title: 'all of them at once', filter: { from: '2026-11-20', to: '2026-11-21', countryCode: 'USA', roleCode: 'EN', q: 'turing' }, expected: [3] },
        { title: 'q on the full name, in any letter case', filter: { q: 'LOVELACE' }, expected: [1] },
        { title: 'q across first and last name', filter: { q: 'ada love' }, expected: [1] },
        { title: 'q on the company, in any letter case', filter: { q: 'analytical' }, expected: [1, 4, 6] },
        { title: 'q on the email address', filter: { q: 'navy.example' }, expected: [2] },
        { title: 'q as a substring in the middle of a word', filter: { q: 'etchl' }, expected: [3] },
        { title: 'q "%" literally, not as a wildcard', filter: { q: '%' }, expected: [7] },
        { title: 'q "_" literally, not as a wildcard', filter: { q: '_' }, expected: [7] },
        { title: 'q "\'" literally', filter: { q: 'o\'b' }, expected: [8] },
        { title: 'q "\\" literally', filter: { q: 'k\\s' }, expected: [8] },
        { title: 'q \'"\' literally', filter: { q: '"co"' }, expected: [8] },
        { title: 'q "*" literally, not as a wildcard', filter: { q: 's*' }, expected: [9] },
        { title: 'q "{" literally', filter: { q: '{inc}' }, expected: [9] },
        { title: 'q "?" and "[" literally', filter: { q: '[?' }, expected: [] },
        { title: 'q that matches nothing', filter: { q: 'zzz' }, expected: [] },
      ];
      for (const { title, filter, expected } of cases) {
        it(`selects the same sign-ups in the summary, the list and the stream: ${title}`, async function () {
          await index(FIXTURE);
          const ids = newestFirst(...expected);
          expect((await store().summary(filter)).total).to.equal(expected.length);
          expect((await store().list(filter, { page: 1, pageSize: 1 })).total).to.equal(expected.length);
          expect(await listed(filter)).to.deep.equal(ids);
          expect((await collect(store().stream(filter))).map((row) => row.eventId)).to.deep.equal(ids);
        });
      }
    });

    describe('list', function () {
      it('gives the rows newest first, every field, the time as ISO 8601 UTC', async function () {
        await index(FIXTURE);
        const page = await store().list({}, { page: 1, pageSize: 2 });
        expect(page).to.deep.equal({
          total: 9,
          page: 1,
          pageSize: 2,
          items: [FIXTURE[8]!, FIXTURE[7]!].map((d) => ({ ...d, signUpDate: d.signUpDate.toISOString() })),
        });
      });

      it('pages with page from 1 and pageSize, the total counting every match', async function () {
        await index(FIXTURE);
        const second = await store().list({}, { page: 2, pageSize: 4 });
        expect([second.total, second.page, second.pageSize]).to.deep.equal([9, 2, 4]);
        expect(second.items.map((item) => item.eventId)).to.deep.equal(newestFirst(5, 4, 3, 2));
        expect((await store().list({}, { page: 3, pageSize: 4 })).items.map((item) => item.eventId)).to.deep.equal(newestFirst(1));
        expect(await store().list({}, { page: 4, pageSize: 4 })).to.deep.equal({ total: 9, page: 4, pageSize: 4, items: [] });
      });

      it('keeps one order across pages when sign-ups share the same time', async function () {
        const at = new Date('2026-11-25T08:00:00.000Z');
        const documents = Array.from({ length: 7 }, () => newIndexedProspect({ signUpDate: at }));
        await index(documents);
        const pages = [];
        for (let page = 1; page <= 3; page += 1) pages.push(...(await store().list({}, { page, pageSize: 3 })).items);
        expect(new Set(pages.map((row) => row.eventId)).size).to.equal(7);
      });
    });

    describe('stream', function () {
      it('yields the rows of the list in the same order, across chunk boundaries and equal times', async function () {
        const at = new Date('2026-11-25T08:00:00.000Z');
        const ties = Array.from({ length: CONTRACT_STREAM_CHUNK * 2 + 1 }, () => newIndexedProspect({ signUpDate: at }));
        await index([...FIXTURE, ...ties]);
        const page = await store().list({}, { page: 1, pageSize: 1000 });
        const streamed = await collect(store().stream({}));
        expect(streamed).to.deep.equal(page.items);
        expect(streamed).to.have.length(FIXTURE.length + ties.length);
      });

      it('can be left after the first rows', async function () {
        await index(FIXTURE);
        const first: string[] = [];
        for await (const row of store().stream({})) {
          first.push(row.eventId);
          if (first.length === 2) break;
        }
        expect(first).to.deep.equal(newestFirst(9, 8));
      });

      it('yields nothing when nothing matches', async function () {
        await index(FIXTURE);
        expect(await collect(store().stream({ q: 'zzz' }))).to.deep.equal([]);
      });
    });
  });
}
