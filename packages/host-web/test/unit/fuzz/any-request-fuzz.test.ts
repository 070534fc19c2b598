import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { RecordingLogger } from '@signup/adapters/memory';
import { expectNoPrototypePollution, prototypeKeys } from '../../support/answer-checks.js';
import { createFuzzApp, type FuzzApp } from '../../support/fuzz-app.js';
import { fuzzParameters } from '../../support/fuzz-settings.js';
import { hostileText, toWellFormed } from '../../support/hostile-strings.js';
import {
  expectNoInternalDetail, expectOnlyAppMarkup, expectSecurityHeaders, withoutAttributeValues,
} from '../../support/response-checks.js';

const RUNS = 1000;

const ROUTES = ['/', '/app/SignUp', '/app/ThankYou', '/api/prospects', '/api/countries', '/api/roles', '/health/live',
  '/health/ready', '/metrics', '/static/site.css', '/static/bootstrap.min.css', '/static/favicon.svg'];

const ODD_PATHS = ['/%', '/%E0%A4%A', '/app/%00', '/app/SignUp%2F..%2F..', '/static/..%2f..%2fpackage.json', '/static/%2e%2e/appsettings.json',
  '//evil.example/', '/app/SignUp/', '/API/PROSPECTS', '/app//SignUp', '/app/SignUp;jsessionid=1', '/app/SignUp?x=<script>alert(1)</script>',
  '/api/prospects?__proto__[polluted]=1&constructor[prototype][polluted]=1', '/app/SignUp#fragment', `/${'a'.repeat(4000)}`,
  '/app/SignUp?submissionId=%22%3E%3Cscript%3E', '/health/ready/../../metrics', '/metrics?name[]=x'];

const path: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ROUTES) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_PATHS) },
  { weight: 1, arbitrary: fc.constantFrom(...ROUTES).chain((route) => fc.mixedCase(fc.constant(route))) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), fc.webQueryParameters()).map(([route, query]) => `${route}?${query}`) },
  { weight: 2, arbitrary: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)) },
);

const accept = fc.constantFrom(undefined, 'text/html', 'application/json', '*/*', 'text/plain', 'image/webp', 'application/json;q=0, text/html;q=0',
  'x/y, */*;q=0.1', '');

const body = fc.option(fc.oneof(
  hostileText.map((text) => ({ type: 'text/plain', bytes: Buffer.from(text, 'utf8') })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ type: 'application/octet-stream', bytes: Buffer.from(bytes) })),
  fc.jsonValue({ maxDepth: 2 }).map((value) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(value), 'utf8') })),
  hostileText.map((text) => ({ type: 'application/x-www-form-urlencoded', bytes: Buffer.from(`firstName=${encodeURIComponent(toWellFormed(text))}`, 'utf8') })),
), { freq: 2 });

// A body only where HTTP gives it a meaning; Node's parser itself refuses a HEAD with a body, before the app sees it.
const anyRequest = fc.oneof(
  fc.record({ method: fc.constantFrom('GET', 'HEAD', 'DELETE', 'OPTIONS'), path, accept, body: fc.constant(null) }),
  fc.record({ method: fc.constantFrom('POST', 'PUT', 'PATCH'), path, accept, body }),
);

function isHtml(contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.startsWith('text/html');
}

function isJson(contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.startsWith('application/json');
}

describe('any request to the web app (property-based)', function () {
  this.timeout(180_000);
  let t: FuzzApp;
  const logger = new RecordingLogger();

  before(async () => {
    t = await createFuzzApp('sync', logger);
  });

  after(() => t.close());

  it('never answers 5xx, always sends the security headers and never shows internal detail', async () => {
    const prototypeBefore = prototypeKeys();
    await fc.assert(fc.asyncProperty(anyRequest, async ({ method, path: target, accept: acceptHeader, body: payload }) => {
      let test = request(t.callback)[method.toLowerCase() as 'get'](target).serialize((value: unknown) => value as string);
      if (acceptHeader !== undefined) test = test.set('Accept', acceptHeader);
      if (payload !== null) test = test.set('Content-Type', payload.type).send(payload.bytes);
      const res = await test;

      expect(res.status, `${method} ${target}`).to.be.within(200, 499);
      expectSecurityHeaders(res);
      const contentType = res.headers['content-type'];
      const text = (res.text as string | undefined) ?? '';
      if (isHtml(contentType)) {
        const markup = withoutAttributeValues(text);
        expectOnlyAppMarkup(markup, `${method} ${target}`);
        expectNoInternalDetail(markup, `${method} ${target}`);
      } else if (isJson(contentType)) {
        expectNoInternalDetail(text, `${method} ${target}`);
      }
      expectNoPrototypePollution(prototypeBefore);
    }), fuzzParameters(RUNS));
    expect(logger.messages('error'), 'unhandled errors logged').to.deep.equal([]);
  });
});
