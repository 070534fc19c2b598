import { afterEach, beforeEach, describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { createTestApp, VALID_INPUT, type TestApp } from './test-app.js';

describe('web app security headers', () => {
  let sandbox: sinon.SinonSandbox;
  let t: TestApp;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    t = createTestApp(sandbox);
  });

  afterEach(() => sandbox.restore());

  const cases: readonly (readonly [string, (t: TestApp) => request.Test])[] = [
    ['the landing page', (a) => request(a.callback).get('/')],
    ['the form', (a) => request(a.callback).get('/app/SignUp')],
    ['a rejected form post', (a) => request(a.callback).post('/app/SignUp').type('form').send({})],
    ['a 404 page', (a) => request(a.callback).get('/missing')],
    ['a 500 page', (a) => {
      a.save.rejects(new Error('boom'));
      return request(a.callback).post('/app/SignUp').type('form').send({ firstName: 'A', lastName: 'B', emailAddress: 'a@b.co' });
    }],
    ['the JSON API', (a) => request(a.callback).get('/api/countries')],
    ['a sign-up through the JSON API', (a) => request(a.callback).post('/api/prospects').send(VALID_INPUT)],
    ['a stylesheet', (a) => request(a.callback).get('/static/site.css')],
  ];

  for (const [title, send] of cases) {
    it(`sets CSP, nosniff, referrer and frame headers on ${title}`, async () => {
      const res = await send(t);
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).to.contain("default-src 'self'");
      expect(csp).to.contain("script-src 'none'");
      expect(csp).to.contain("frame-ancestors 'none'");
      expect(csp).to.contain("form-action 'self'");
      expect(csp).to.contain("base-uri 'none'");
      expect(csp).to.contain("object-src 'none'");
      expect(csp).to.not.contain('unsafe-inline');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['referrer-policy']).to.equal('same-origin');
      expect(res.headers['x-frame-options']).to.equal('DENY');
    });
  }
});

describe('web app static assets', () => {
  let sandbox: sinon.SinonSandbox;
  let t: TestApp;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    t = createTestApp(sandbox);
  });

  afterEach(() => sandbox.restore());

  it("serves Bootstrap's CSS from the installed package with cache headers", async () => {
    const res = await request(t.callback).get('/static/bootstrap.min.css').expect(200)
      .expect('Content-Type', /text\/css/).expect('Cache-Control', /max-age=\d+/);
    expect(res.text).to.contain('Bootstrap');
    expect(res.headers.etag).to.match(/^".+"$/);
  });

  it('answers 304 when the ETag matches', async () => {
    const first = await request(t.callback).get('/static/site.css').expect(200);
    await request(t.callback).get('/static/site.css').set('If-None-Match', first.headers.etag as string).expect(304);
  });

  it('serves the favicon as SVG', async () => {
    await request(t.callback).get('/static/favicon.svg').expect(200).expect('Content-Type', /image\/svg\+xml/);
  });

  it('answers 404 for a file that is not an asset, including path tricks', async () => {
    await request(t.callback).get('/static/../package.json').expect(404);
    await request(t.callback).get('/static/%2e%2e/appsettings.json').expect(404);
  });
});
