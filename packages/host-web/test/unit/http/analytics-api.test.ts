import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { DatabaseUnavailableError, type AnalyticsProspect } from '@signup/domain';
import { AUTHORIZATION, createAnalyticsTestApp, PROSPECT, SUMMARY, type AnalyticsTestApp } from './analytics-app.js';

const BAD_QUERIES: [string, string, string][] = [
  ['from', 'from=2026-02-30', 'The start date 2026-02-30 is not a day of the calendar.'],
  ['from', 'from=03%2F01%2F2026', 'Enter the start date as year-month-day, for example 2024-03-31.'],
  ['to', 'to=2026-1-1', 'Enter the end date as year-month-day, for example 2024-03-31.'],
  ['to', 'to=9999-12-31', 'The end date must be in the years 1900 to 9998.'],
  ['from', 'from=0001-01-01', 'The start date must be in the years 1900 to 9998.'],
  ['to', 'from=2026-03-02&to=2026-03-01', 'The end date must be on or after the start date.'],
  ['countryCode', 'countryCode=XXX', 'Choose a country from the list.'],
  ['roleCode', 'roleCode=%27%20OR%201%3D1', 'Choose a role from the list.'],
  ['q', `q=${'a'.repeat(201)}`, 'The search text must be 200 characters or fewer.'],
  ['q', 'q=a%0Ab', 'The search text contains characters that are not allowed, such as tabs or line breaks.'],
  ['q', 'q=a&q=b', 'Give the search text only once.'],
  ['page', 'page=0', 'The page number must be a whole number from 1 to 1,000,000.'],
  ['page', 'page=-1', 'The page number must be a whole number from 1 to 1,000,000.'],
  ['pageSize', 'pageSize=1001', 'The number of rows per page must be a whole number from 1 to 1000.'],
  ['pageSize', 'pageSize=ten', 'The number of rows per page must be a whole number from 1 to 1000.'],
  ['countryCode', 'countryCode=GBR&countryCode=USA', 'Give the country only once.'],
];

/** Reads RFC 4180 CSV (CRLF records, quoted fields with doubled quotes) into records of fields. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field); records.push(record); record = []; field = ''; i += 1;
    } else field += c;
  }
  return records;
}

/** Starts `GET /api/analytics/prospects.csv` on a listening server; resolves when the answer's headers arrive. */
async function download(server: http.Server): Promise<http.IncomingMessage> {
  if (!server.listening) await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path: '/api/analytics/prospects.csv', headers: { Authorization: AUTHORIZATION } }, resolve).on('error', reject);
  });
}

function row(index: number, overrides: Partial<AnalyticsProspect> = {}): AnalyticsProspect {
  return { ...PROSPECT, eventId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`, fullName: `Person ${index}`, ...overrides };
}

describe('analytics API', () => {
  let sandbox: sinon.SinonSandbox;
  let t: AnalyticsTestApp;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    t = createAnalyticsTestApp(sandbox);
  });

  afterEach(() => sandbox.restore());

  const get = (path: string): request.Test => request(t.callback).get(path).set('Authorization', AUTHORIZATION);

  describe('GET /api/analytics/summary', () => {
    it('answers the summary in the documented shape', async () => {
      const res = await get('/api/analytics/summary').expect(200).expect('Content-Type', /application\/json/);
      expect(res.body).to.deep.equal(SUMMARY);
      expect(t.summary.calledOnceWithExactly({})).to.equal(true);
    });

    it('passes only the documented fields on, whatever else the store returns', async () => {
      t.summary.resolves({ ...SUMMARY, byRole: [{ roleCode: 'EN', roleName: 'Engineer', count: 3, secret: 'x' } as never], internal: 1 } as never);
      const res = await get('/api/analytics/summary').expect(200);
      expect(res.body).to.have.keys('total', 'byDay', 'byCountry', 'byRole', 'topCompanies');
      expect((res.body as { byRole: unknown }).byRole).to.deep.equal([{ roleCode: 'EN', roleName: 'Engineer', count: 3 }]);
    });

    it('passes every filter on, parsed', async () => {
      await get('/api/analytics/summary?from=2026-03-01&to=2026-03-31&countryCode=GBR&roleCode=-&q=%20Ada%20').expect(200);
      expect(t.summary.firstCall.args[0]).to.deep.equal({ from: '2026-03-01', to: '2026-03-31', countryCode: 'GBR', roleCode: '-', q: 'Ada' });
    });
  });

  describe('GET /api/analytics/prospects', () => {
    it('answers the first page of 50 in the documented shape', async () => {
      const res = await get('/api/analytics/prospects').expect(200);
      expect(res.body).to.deep.equal({ total: 1, page: 1, pageSize: 50, items: [PROSPECT] });
      expect(t.list.calledOnceWithExactly({}, { page: 1, pageSize: 50 })).to.equal(true);
    });

    it('asks the store for the page and page size given', async () => {
      const res = await get('/api/analytics/prospects?page=3&pageSize=1000&countryCode=USA').expect(200);
      expect(res.body).to.include({ page: 3, pageSize: 1000 });
      expect(t.list.firstCall.args).to.deep.equal([{ countryCode: 'USA' }, { page: 3, pageSize: 1000 }]);
    });

    it('shows the full email address behind the credentials', async () => {
      const res = await get('/api/analytics/prospects').expect(200);
      expect((res.body as { items: AnalyticsProspect[] }).items[0]!.emailAddress).to.equal('ada@example.com');
    });
  });

  for (const path of ['/api/analytics/summary', '/api/analytics/prospects', '/api/analytics/prospects.csv']) {
    describe(`bad filters on ${path}`, () => {
      for (const [field, query, message] of BAD_QUERIES) {
        it(`answers 400 naming ${field} for ${query.slice(0, 40)}`, async () => {
          const res = await get(`${path}?${query}`).expect(400).expect('Content-Type', /application\/json/);
          expect(res.body).to.deep.equal({ errors: { [field]: message } });
          expect(t.summary.called || t.list.called || t.stream.called).to.equal(false);
        });
      }
    });
  }

  describe('when the store is unavailable', () => {
    const outage = (): DatabaseUnavailableError => new DatabaseUnavailableError('read model unreachable');

    it('answers 503 with Retry-After for the summary and the list', async () => {
      t.summary.rejects(outage());
      t.list.rejects(outage());
      for (const path of ['/api/analytics/summary', '/api/analytics/prospects']) {
        const res = await get(path).expect(503).expect('Retry-After', '5');
        expect(res.body).to.deep.equal({ message: 'The analytics cannot be read just now. Please try again in a few seconds.' });
      }
    });

    it('answers 503, not a CSV cut short, when the stream fails before the first row', async () => {
      t.stream.callsFake(async function* () {
        yield* [] as AnalyticsProspect[];
        await Promise.resolve();
        throw outage();
      });
      const res = await get('/api/analytics/prospects.csv').expect(503).expect('Retry-After', '5');
      expect(res.headers['content-disposition']).to.equal(undefined);
    });

    it('shows the dashboard as a page saying to try again', async () => {
      t.summary.rejects(outage());
      const res = await get('/app/Analytics').set('Accept', 'text/html').expect(503).expect('Content-Type', /html/);
      expect(res.text).to.contain('The analytics cannot be read just now.').and.contain('href="/app/Analytics"');
      expect(res.text).to.not.contain('read model unreachable');
    });

    it('answers 500 with nothing internal for an error that is not an outage', async () => {
      t.summary.rejects(new Error('SELECT secret FROM x'));
      const res = await get('/api/analytics/summary').expect(500);
      expect(res.text).to.not.contain('SELECT');
    });
  });

  describe('GET /api/analytics/prospects.csv', () => {
    it('answers a CSV attachment with a header row and the rows', async () => {
      const res = await get('/api/analytics/prospects.csv?countryCode=GBR').expect(200)
        .expect('Content-Type', 'text/csv; charset=utf-8')
        .expect('Content-Disposition', 'attachment; filename="sign-ups.csv"');
      expect(res.text).to.equal('\uFEFFeventId,fullName,companyName,emailAddress,countryCode,countryName,roleCode,roleName,signUpDate\r\n'
        + '0b7ef1b0-3c0e-4a51-9f5e-2b1d2f4c7a10,Ada Lovelace,Analytical Engines,ada@example.com,GBR,United Kingdom,EN,Engineer,2026-03-03T10:15:00.000Z\r\n');
      expect(t.stream.calledOnceWithExactly({ countryCode: 'GBR' })).to.equal(true);
    });

    it('answers only the header row when nothing matches', async () => {
      t.stream.callsFake(async function* () {
        yield* [] as AnalyticsProspect[];
        await Promise.resolve();
      });
      const res = await get('/api/analytics/prospects.csv').expect(200);
      expect(res.text.split('\r\n')).to.deep.equal(['\uFEFFeventId,fullName,companyName,emailAddress,countryCode,countryName,roleCode,roleName,signUpDate', '']);
    });

    it('quotes cells with commas, quotes and line breaks, and neutralises formulas', async () => {
      const hostile = [
        row(1, { fullName: 'Smith, John', companyName: 'The "Best" Co' }),
        row(2, { fullName: '=HYPERLINK("http://x","y")', companyName: '+1+1' }),
        row(3, { fullName: '-2+3', companyName: '@SUM(A1)' }),
        row(4, { fullName: '\tTabbed', companyName: '\rReturn' }),
        row(5, { fullName: 'Line\nBreak', companyName: ' padded ' }),
        row(6, { fullName: 'Zoë Ünïcode 😀', companyName: 'a=b' }),
      ];
      t.stream.callsFake(async function* () {
        for (const item of hostile) yield await Promise.resolve(item);
      });
      const res = await get('/api/analytics/prospects.csv').expect(200);
      expect(res.text).to.contain(',"Smith, John","The ""Best"" Co",');
      expect(res.text).to.contain(`,"'=HYPERLINK(""http://x"",""y"")",'+1+1,`);
      expect(res.text).to.contain(`,'-2+3,'@SUM(A1),`);
      expect(res.text).to.contain(`,'\tTabbed,"'\rReturn",`);
      expect(res.text).to.contain(`,"Line\nBreak"," padded ",`);
      expect(res.text).to.contain(',Zoë Ünïcode 😀,a=b,');
      const records = parseCsv(res.text.slice(1));
      expect(records).to.have.length(hostile.length + 1);
      expect(records.slice(1).map((record) => [record[1], record[2]])).to.deep.equal([
        ['Smith, John', 'The "Best" Co'],
        [`'=HYPERLINK("http://x","y")`, "'+1+1"],
        ["'-2+3", "'@SUM(A1)"],
        ["'\tTabbed", "'\rReturn"],
        ['Line\nBreak', ' padded '],
        ['Zoë Ünïcode 😀', 'a=b'],
      ]);
    });

    it('neutralises the "-" code and "--Not telling" names as well', async () => {
      t.stream.callsFake(async function* () {
        yield await Promise.resolve(row(1, { countryCode: '-', countryName: '--Not telling', roleCode: '-', roleName: '--Not telling' }));
      });
      const res = await get('/api/analytics/prospects.csv').expect(200);
      expect(res.text).to.contain(",'-,'--Not telling,'-,'--Not telling,");
    });

    it('streams a large result as the client reads it, without holding it whole', async function () {
      this.timeout(60_000);
      const TOTAL = 100_000;
      let produced = 0;
      let finished = false;
      t.stream.callsFake(async function* () {
        for (let i = 0; i < TOTAL; i += 1) {
          produced += 1;
          yield await Promise.resolve(row(i, { companyName: `Company ${'x'.repeat(200)} ${i}` }));
        }
        finished = true;
      });
      const server = t.app.listen(0, '127.0.0.1');
      try {
        const response = await download(server);
        expect(response.statusCode).to.equal(200);
        expect(response.headers['transfer-encoding']).to.equal('chunked');
        // The answer has started: headers are here, the store is far from done.
        expect(finished, 'every row was read before the answer started').to.equal(false);
        // A client that stops reading stops the reading of the store (backpressure).
        response.pause();
        await new Promise((resolve) => setTimeout(resolve, 500));
        const whilePaused = produced;
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(produced, 'rows read while the client was not reading').to.equal(whilePaused);
        expect(produced).to.be.below(TOTAL / 2);
        let lines = 0;
        let tail = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          const text = tail + chunk;
          const parts = text.split('\r\n');
          tail = parts.pop() ?? '';
          lines += parts.length;
        });
        response.resume();
        await once(response, 'end');
        expect(lines).to.equal(TOTAL + 1);
        expect(tail).to.equal('');
        expect(finished).to.equal(true);
      } finally {
        server.close();
      }
    });

    it('cuts the transfer short and logs the failure when the store fails in the middle', async () => {
      t.stream.callsFake(async function* () {
        for (let i = 0; i < 2000; i += 1) yield await Promise.resolve(row(i));
        throw new DatabaseUnavailableError('read model lost');
      });
      const server = t.app.listen(0, '127.0.0.1');
      try {
        const response = await download(server);
        expect(response.statusCode).to.equal(200);
        const outcome = await new Promise<string>((resolve) => {
          response.on('error', () => resolve('incomplete'));
          response.on('aborted', () => resolve('incomplete'));
          response.on('end', () => resolve(response.complete ? 'complete' : 'incomplete'));
          response.resume();
        });
        expect(outcome, 'a failed download must not look complete').to.equal('incomplete');
        expect(t.logger.lines.some((line) => line.level === 'error' && JSON.stringify(line.fields).includes('DATABASE_UNAVAILABLE'))).to.equal(true);
      } finally {
        server.close();
      }
    });

    it('stops reading the store when the client goes away', async () => {
      let produced = 0;
      let closed = false;
      t.stream.callsFake(async function* () {
        try {
          for (let i = 0; i < 1_000_000; i += 1) {
            produced += 1;
            yield await Promise.resolve(row(i, { companyName: 'y'.repeat(300) }));
          }
        } finally {
          closed = true;
        }
      });
      const server = t.app.listen(0, '127.0.0.1');
      try {
        const response = await download(server);
        response.destroy();
        const deadline = Date.now() + 5000;
        while (!closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(closed, 'the store iterator was closed').to.equal(true);
        expect(produced).to.be.below(1_000_000);
        expect(t.logger.lines.filter((line) => line.level === 'error'), 'a cancelled download is no server error').to.deep.equal([]);
      } finally {
        server.close();
      }
    });
  });

  it('logs no full email address', async () => {
    t.summary.rejects(new DatabaseUnavailableError('down while reading ada@example.com'));
    await get('/api/analytics/summary?q=ada@example.com').expect(503);
    await get('/api/analytics/prospects?q=ada@example.com').expect(200);
    for (const line of t.logger.lines) expect(JSON.stringify(line)).to.not.contain('ada@example.com');
  });
});
