import { afterEach, beforeEach, describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { AUTHORIZATION, basic, createAnalyticsTestApp, CREDENTIALS, type AnalyticsTestApp } from './analytics-app.js';

const ROUTES = ['/app/Analytics', '/api/analytics/summary', '/api/analytics/prospects', '/api/analytics/prospects.csv'];
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;
// Spellings the router would also match, and paths under the analytics that no route serves.
const VARIANTS = ['/app/analytics', '/APP/ANALYTICS/', '/app/Analytics/?from=2026-01-01', '/api/Analytics/Summary',
  '/api/analytics/prospects/', '/app/%41nalytics', '/api/analytics/%70rospects', '/api/analytics', '/api/analytics/unknown',
  '/app/Analytics/anything', '/api/analytics/prospects.csv?countryCode=GBR'];
const REALM = 'Basic realm="SignUp analytics"';

describe('analytics access', () => {
  let sandbox: sinon.SinonSandbox;
  let t: AnalyticsTestApp;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    t = createAnalyticsTestApp(sandbox);
  });

  afterEach(() => sandbox.restore());

  function expectNothingRead(): void {
    expect(t.summary.called || t.list.called || t.stream.called, 'the store was read').to.equal(false);
  }

  describe('without credentials', () => {
    for (const route of [...ROUTES, ...VARIANTS]) {
      for (const method of METHODS) {
        it(`answers ${method.toUpperCase()} ${route} with 401 and the realm`, async () => {
          const res = await request(t.callback)[method](route).expect(401);
          expect(res.headers['www-authenticate']).to.equal(REALM);
          expect(res.headers['cache-control']).to.equal('no-store');
          expect(res.text ?? '').to.not.contain('ada@example.com').and.not.contain('Lovelace');
          expectNothingRead();
        });
      }
    }

    it('shows a page asking to sign in to a browser, and JSON to the API', async () => {
      const page = await request(t.callback).get('/app/Analytics').set('Accept', 'text/html').expect(401).expect('Content-Type', /html/);
      expect(page.text).to.contain('Please sign in');
      const api = await request(t.callback).get('/api/analytics/summary').expect(401).expect('Content-Type', /json/);
      expect(api.body).to.deep.equal({ message: 'Sign in with the analytics user name and password to see this page.' });
    });
  });

  describe('with wrong or malformed credentials', () => {
    const headers: [string, string][] = [
      ['a wrong password', basic(CREDENTIALS.username, 'wrong')],
      ['the password with a character less', basic(CREDENTIALS.username, CREDENTIALS.password.slice(0, -1))],
      ['the password with a character more', basic(CREDENTIALS.username, `${CREDENTIALS.password}!`)],
      ['a wrong user name', basic('root', CREDENTIALS.password)],
      ['the user name in another case', basic('Admin', CREDENTIALS.password)],
      ['empty credentials', basic('', '')],
      ['no colon', `Basic ${Buffer.from('admin').toString('base64')}`],
      ['the scheme only', 'Basic'],
      ['an empty token', 'Basic '],
      ['a token that is not base64', 'Basic !!!not-base64!!!'],
      ['base64 of bytes that are not UTF-8', `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`],
      ['truncated base64', `Basic ${AUTHORIZATION.slice(6, -3)}`],
      ['another scheme', 'Bearer abc.def.ghi'],
      ['the credentials in clear', `Basic ${CREDENTIALS.username}:${CREDENTIALS.password}`],
      ['a very long token', `Basic ${'QUJD'.repeat(2000)}`],
      ['two tokens', `${AUTHORIZATION}, ${AUTHORIZATION}`],
    ];
    for (const [name, header] of headers) {
      it(`answers 401, never 500, to ${name}`, async () => {
        const res = await request(t.callback).get('/api/analytics/summary').set('Authorization', header).expect(401);
        expect(res.headers['www-authenticate']).to.equal(REALM);
        expectNothingRead();
      });
    }
  });

  describe('with the right credentials', () => {
    it('answers every route', async () => {
      for (const route of ROUTES) {
        await request(t.callback).get(route).set('Authorization', AUTHORIZATION).expect(200);
      }
    });

    it('accepts the scheme in any case', async () => {
      await request(t.callback).get('/api/analytics/summary').set('Authorization', `bAsIc ${AUTHORIZATION.slice(6)}`).expect(200);
    });

    it('accepts a password holding colons and characters beyond ASCII', async () => {
      const other = createAnalyticsTestApp(sandbox, { credentials: { username: 'zoë', password: 'a:b:ç 🔑' } });
      await request(other.callback).get('/api/analytics/summary').set('Authorization', basic('zoë', 'a:b:ç 🔑')).expect(200);
      await request(other.callback).get('/api/analytics/summary').set('Authorization', basic('zoë', 'a:b:c 🔑')).expect(401);
    });

    it('marks the answers as not to be cached', async () => {
      await request(t.callback).get('/api/analytics/prospects').set('Authorization', AUTHORIZATION).expect('Cache-Control', 'no-store');
    });
  });

  describe('throttling failed sign-ins per client address', () => {
    const WRONG = basic(CREDENTIALS.username, 'not the password');
    const summary = (header?: string): request.Test => {
      const req = request(t.callback).get('/api/analytics/summary');
      return header === undefined ? req : req.set('Authorization', header);
    };

    it('answers 429 with Retry-After after 10 failures within a minute, even to the right password, until the window passes', async () => {
      for (let attempt = 1; attempt <= 10; attempt += 1) await summary(WRONG).expect(401);

      const refused = await summary(WRONG).expect(429);
      const rightButLate = await summary(AUTHORIZATION).expect(429);

      for (const res of [refused, rightButLate]) {
        expect(Number(res.headers['retry-after'])).to.be.within(1, 60);
        expect(res.headers['cache-control']).to.equal('no-store');
        expect(res.body).to.deep.equal({ message: 'Too many failed sign-ins from your address. Please wait a minute before you try again.' });
      }
      const page = await request(t.callback).get('/app/Analytics').set('Accept', 'text/html').set('Authorization', WRONG).expect(429);
      expect(page.text).to.contain('Please wait a moment');
      expectNothingRead();
    });

    it('counts a request without an Authorization header as a challenge, not a failure', async () => {
      for (let attempt = 1; attempt <= 25; attempt += 1) {
        const res = await summary().expect(401);
        expect(res.headers['www-authenticate']).to.equal(REALM);
      }
      for (let attempt = 1; attempt <= 9; attempt += 1) await summary(WRONG).expect(401);
      await summary(AUTHORIZATION).expect(200);
      expect(t.logger.messages('warn').filter((line) => line.startsWith('Analytics sign-in failed'))).to.have.length(9);
    });

    it('forgets the failures of an address once it signs in', async () => {
      for (let attempt = 1; attempt <= 9; attempt += 1) await summary(WRONG).expect(401);
      await summary(AUTHORIZATION).expect(200);
      for (let attempt = 1; attempt <= 9; attempt += 1) await summary(WRONG).expect(401);
      await summary(AUTHORIZATION).expect(200);
    });

    it('logs each failure once, with the user name masked and the client address, never the password', async () => {
      await summary(basic('administrator', 'Tr0ub4dor&3-guess')).expect(401);
      await summary('Basic !!!not-base64!!!').expect(401);
      for (let attempt = 3; attempt <= 10; attempt += 1) await summary(WRONG).expect(401);
      await summary(WRONG).expect(429);

      const lines = t.logger.messages('warn');
      expect(lines).to.have.length(10);
      expect(lines[0]).to.match(/^Analytics sign-in failed for the user "a\*\*\*" from \S*127\.0\.0\.1 \(1 of 10 failures allowed within 60 s\)$/);
      expect(lines[1]).to.match(/^Analytics sign-in failed for the user \(unreadable\) from \S*127\.0\.0\.1 \(2 of 10/);
      expect(lines[9]).to.match(/\(10 of 10 failures allowed within 60 s; further attempts from it are answered 429 until 60 s after its first failure\)$/);
      expect(JSON.stringify(t.logger.lines)).to.not.contain('administrator').and.not.contain('Tr0ub4dor').and.not.contain('not the password');
    });
  });

  describe('when the analytics are off', () => {
    for (const route of ROUTES) {
      it(`answers ${route} with 404, asking for no credentials`, async () => {
        const off = createAnalyticsTestApp(sandbox, { analytics: false });
        const res = await request(off.callback).get(route).set('Authorization', AUTHORIZATION).expect(404);
        expect(res.headers['www-authenticate']).to.equal(undefined);
        expect(off.summary.called || off.list.called || off.stream.called).to.equal(false);
      });
    }
  });

  it('leaves the other pages open', async () => {
    await request(t.callback).get('/').expect(200);
    await request(t.callback).get('/app/SignUp').expect(200);
    await request(t.callback).get('/api/countries').expect(200);
    await request(t.callback).get('/app/AnalyticsReport').expect(404);
  });
});
