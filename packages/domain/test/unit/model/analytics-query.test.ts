import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  ANALYTICS_QUERY_LIMITS,
  AnalyticsQueryInvalidError,
  formatAnalyticsQuery,
  parseAnalyticsQuery,
  ReferenceData,
  SignUpError,
} from '../../../src/index.js';

const reference = ReferenceData.defaults();

function errorsOf(query: Record<string, unknown>): Readonly<Record<string, string>> {
  try {
    parseAnalyticsQuery(query, reference);
  } catch (error) {
    expect(error).to.be.instanceOf(AnalyticsQueryInvalidError).and.instanceOf(SignUpError);
    expect((error as AnalyticsQueryInvalidError).code).to.equal('ANALYTICS_QUERY_INVALID');
    return (error as AnalyticsQueryInvalidError).errors;
  }
  expect.fail(`accepted ${JSON.stringify(query)}`);
}

describe('parseAnalyticsQuery', () => {
  it('reads no parameters as no filter, the first page and 50 rows', () => {
    expect(parseAnalyticsQuery({}, reference)).to.deep.equal({ filter: {}, page: { page: 1, pageSize: 50 } });
  });

  it('reads every filter and the paging', () => {
    const query = { from: '2024-02-29', to: '2024-03-31', countryCode: 'GBR', roleCode: '-', q: '  Lovelace & Co ', page: '3', pageSize: '1000' };
    expect(parseAnalyticsQuery(query, reference)).to.deep.equal({
      filter: { from: '2024-02-29', to: '2024-03-31', countryCode: 'GBR', roleCode: '-', q: 'Lovelace & Co' },
      page: { page: 3, pageSize: 1000 },
    });
  });

  it('treats blank values as "any", as an untouched filter form submits them', () => {
    const query = { from: '', to: ' ', countryCode: '', roleCode: '', q: '   ', page: '', pageSize: '' };
    expect(parseAnalyticsQuery(query, reference)).to.deep.equal({ filter: {}, page: { page: 1, pageSize: 50 } });
  });

  it('accepts a single day as from and to', () => {
    expect(parseAnalyticsQuery({ from: '2025-01-01', to: '2025-01-01' }, reference).filter).to.deep.equal({ from: '2025-01-01', to: '2025-01-01' });
  });

  it('ignores parameters it does not know', () => {
    expect(parseAnalyticsQuery({ utm_source: 'mail', sort: ['a', 'b'] }, reference).filter).to.deep.equal({});
  });

  it('takes numbers for the paging from a caller that already parsed them', () => {
    expect(parseAnalyticsQuery({ page: 2, pageSize: 10 }, reference).page).to.deep.equal({ page: 2, pageSize: 10 });
  });

  for (const value of ['2024-3-1', '01/03/2024', '2024-03-01T00:00:00Z', '20240301', 'yesterday', '2024-03-01; DROP TABLE x']) {
    it(`rejects the date ${JSON.stringify(value)} that is not written YYYY-MM-DD`, () => {
      expect(errorsOf({ from: value })).to.deep.equal({ from: 'Enter the start date as year-month-day, for example 2024-03-31.' });
      expect(errorsOf({ to: value })).to.deep.equal({ to: 'Enter the end date as year-month-day, for example 2024-03-31.' });
    });
  }

  for (const value of ['2023-02-29', '2024-02-30', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '1900-02-29']) {
    it(`rejects ${value}, which is not a day of the calendar`, () => {
      expect(errorsOf({ from: value })).to.deep.equal({ from: `The start date ${value} is not a day of the calendar.` });
    });
  }

  it('accepts the leap days of leap years', () => {
    for (const day of ['2000-02-29', '2024-02-29', '1904-02-29']) {
      expect(parseAnalyticsQuery({ from: day }, reference).filter.from).to.equal(day);
    }
  });

  for (const value of ['9999-12-31', '9999-01-01', '1899-12-31', '0001-01-01', '0000-01-01']) {
    it(`rejects ${value}, outside the years 1900 to 9998, naming the field`, () => {
      expect(errorsOf({ from: value })).to.deep.equal({ from: 'The start date must be in the years 1900 to 9998.' });
      expect(errorsOf({ to: value })).to.deep.equal({ to: 'The end date must be in the years 1900 to 9998.' });
    });
  }

  it('accepts the first day of 1900 and the last day of 9998', () => {
    expect(parseAnalyticsQuery({ from: '1900-01-01', to: '9998-12-31' }, reference).filter).to.deep.equal({ from: '1900-01-01', to: '9998-12-31' });
  });

  it('rejects a start date after the end date, on the end date', () => {
    expect(errorsOf({ from: '2024-03-02', to: '2024-03-01' })).to.deep.equal({ to: 'The end date must be on or after the start date.' });
  });

  it('rejects codes that are not in the reference data', () => {
    expect(errorsOf({ countryCode: 'XXX', roleCode: 'gbr' })).to.deep.equal({
      countryCode: 'Choose a country from the list.',
      roleCode: 'Choose a role from the list.',
    });
    expect(errorsOf({ countryCode: '__proto__', roleCode: 'toString' })).to.have.keys('countryCode', 'roleCode');
  });

  it(`accepts a search text of ${ANALYTICS_QUERY_LIMITS.searchText} characters and rejects a longer one`, () => {
    const longest = '😀'.repeat(ANALYTICS_QUERY_LIMITS.searchText);
    expect(parseAnalyticsQuery({ q: longest }, reference).filter.q).to.equal(longest);
    expect(errorsOf({ q: `${longest}a` })).to.deep.equal({ q: 'The search text must be 200 characters or fewer.' });
  });

  for (const [name, character] of [['tab', '\t'], ['line feed', '\n'], ['NUL', '\u0000'], ['escape', '\u001b'], ['C1 control', '\u0085'], ['line separator', '\u2028'], ['lone surrogate', '\ud800']]) {
    it(`rejects a search text with a ${name} inside`, () => {
      expect(errorsOf({ q: `Ada${character}Lovelace` })).to.deep.equal({ q: 'The search text contains characters that are not allowed, such as tabs or line breaks.' });
    });
  }

  it('passes SQL and query-language syntax on as plain text', () => {
    const q = `' OR 1=1 -- %_ {"match_all":{}} *:*`;
    expect(parseAnalyticsQuery({ q }, reference).filter.q).to.equal(q);
  });

  for (const value of ['0', '-1', '1.5', '1e3', 'two', '0x10', '+2', '1000001', '99999999999999999999']) {
    it(`rejects the page ${JSON.stringify(value)}`, () => {
      expect(errorsOf({ page: value })).to.deep.equal({ page: 'The page number must be a whole number from 1 to 1,000,000.' });
    });
  }

  for (const value of ['0', '1001', '-5', '50.0', 'all', 1001, 0.5]) {
    it(`rejects the page size ${JSON.stringify(value)}`, () => {
      expect(errorsOf({ pageSize: value })).to.deep.equal({ pageSize: 'The number of rows per page must be a whole number from 1 to 1000.' });
    });
  }

  it('rejects every parameter given more than once, naming each', () => {
    const query = { from: ['2024-01-01', '2024-01-02'], to: ['a', 'b'], countryCode: ['GBR', 'USA'], roleCode: ['EN', 'EN'], q: ['a', 'b'], page: ['1', '2'], pageSize: ['5', '5'] };
    expect(errorsOf(query)).to.deep.equal({
      from: 'Give the start date only once.',
      to: 'Give the end date only once.',
      countryCode: 'Give the country only once.',
      roleCode: 'Give the role only once.',
      q: 'Give the search text only once.',
      page: 'Give the page number only once.',
      pageSize: 'Give the number of rows per page only once.',
    });
  });

  it('rejects values that are not text', () => {
    expect(errorsOf({ q: { $ne: '' }, countryCode: true })).to.deep.equal({
      q: 'The search text must be text.',
      countryCode: 'The country must be text.',
    });
  });

  it('reads only own parameters, never the prototype', () => {
    const query = Object.create({ countryCode: 'XXX' }) as Record<string, unknown>;
    expect(parseAnalyticsQuery(query, reference).filter).to.deep.equal({});
  });

  it('reports every bad parameter at once', () => {
    expect(errorsOf({ from: 'x', to: 'y', countryCode: 'X', roleCode: 'Y', q: 'a\nb', page: '0', pageSize: '0' }))
      .to.have.keys('from', 'to', 'countryCode', 'roleCode', 'q', 'page', 'pageSize');
  });
});

describe('formatAnalyticsQuery', () => {
  it('lists the filters set and the paging that differs from the defaults, in a fixed order', () => {
    expect(formatAnalyticsQuery({ q: 'a b', roleCode: 'EN', from: '2024-01-01' }, { page: 2, pageSize: 50 }))
      .to.deep.equal([['from', '2024-01-01'], ['roleCode', 'EN'], ['q', 'a b'], ['page', '2']]);
    expect(formatAnalyticsQuery({}, { page: 1, pageSize: 20 })).to.deep.equal([['pageSize', '20']]);
    expect(formatAnalyticsQuery({})).to.deep.equal([]);
  });
});
