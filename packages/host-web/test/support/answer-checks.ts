import { expect } from 'chai';
import request, { type Response } from 'supertest';
import { DEFAULT_COUNTRIES, DEFAULT_ROLES, isCorrelationId } from '@signup/domain';
import {
  expectNoInternalDetail, expectOnlyAppMarkup, expectSecurityHeaders, fieldsInError, rawInputValue, selectedOptions,
  unescapeHtml, withoutAttributeValues,
} from './response-checks.js';
import { firstPosted, type AnswerExpectation, type ApiRequest, type FormRequest } from './sign-up-requests.js';

type Callback = Parameters<typeof request>[0];

/** Whether a valid sign-up is answered as saved (201 from the API) or queued (202). */
export type SaveMode = 'saved' | 'queued';

/** Sends the request's bytes and headers exactly as generated (no serialising, no default content type). */
export function sendApiRequest(callback: Callback, api: ApiRequest): Promise<Response> {
  let test = request(callback).post('/api/prospects').serialize((body: unknown) => body as string);
  if (api.contentType !== undefined) test = test.set('Content-Type', api.contentType);
  if (api.idempotencyKey !== undefined) test = test.set('Idempotency-Key', api.idempotencyKey);
  return test.send(api.body);
}

/** Sends the form's bytes and headers exactly as generated. */
export function sendFormRequest(callback: Callback, form: FormRequest): Promise<Response> {
  let test = request(callback).post('/app/SignUp').serialize((body: unknown) => body as string);
  if (form.contentType !== undefined) test = test.set('Content-Type', form.contentType);
  if (form.accept !== undefined) test = test.set('Accept', form.accept);
  return test.send(form.body);
}

function expectEveryAnswerSafe(res: Response, context: string): void {
  expect(res.status, `${context} status`).to.be.within(200, 499);
  expectSecurityHeaders(res);
}

function expectMessageBody(res: Response, context: string): void {
  expect(res.headers['content-type'], context).to.match(/^application\/json/);
  expect(Object.keys(res.body as object), context).to.deep.equal(['message']);
  expect((res.body as { message: unknown }).message).to.be.a('string').that.is.not.empty;
}

/**
 * Checks the API's answer against the expectation: never 5xx, security headers,
 * no internal detail, 201/202 with the ids for a valid sign-up, 400 naming
 * exactly the expected keys, 413/415 with a message. Returns the correlation id
 * of a saved sign-up.
 */
export function expectApiAnswer(res: Response, expected: AnswerExpectation, mode: SaveMode): string | undefined {
  const context = `API ${res.status}`;
  expectEveryAnswerSafe(res, context);
  expectNoInternalDetail(res.text, context);
  expect(res.headers['content-type'], context).to.match(/^application\/json/);
  switch (expected.kind) {
    case 'saved': {
      const body = res.body as { correlationId?: unknown; prospectId?: unknown };
      expect(res.status, context).to.equal(mode === 'saved' ? 201 : 202);
      expect(Object.keys(body).sort()).to.deep.equal(mode === 'saved' ? ['correlationId', 'prospectId'] : ['correlationId']);
      expect(isCorrelationId(body.correlationId), 'correlationId is a UUID').to.equal(true);
      if (expected.correlationId !== undefined) expect(body.correlationId).to.equal(expected.correlationId);
      if (mode === 'saved') expect(body.prospectId).to.be.a('number');
      return body.correlationId as string;
    }
    case 'invalid': {
      expect(res.status, context).to.equal(400);
      expect(Object.keys(res.body as object)).to.deep.equal(['errors']);
      const errors = (res.body as { errors: Record<string, unknown> }).errors;
      expect(Object.keys(errors).sort(), 'keys of errors').to.deep.equal([...expected.errorKeys].sort());
      for (const message of Object.values(errors)) expect(message).to.be.a('string').with.length.within(1, 200);
      return undefined;
    }
    case 'refused':
      expect(res.status, context).to.equal(expected.status);
      expectMessageBody(res, context);
      return undefined;
  }
}

const CODES: Readonly<Record<'countryCode' | 'roleCode', readonly string[]>> = {
  countryCode: DEFAULT_COUNTRIES.map((c) => c.countryCode),
  roleCode: DEFAULT_ROLES.map((r) => r.roleCode),
};

function expectReRenderedForm(page: string, form: FormRequest, errorKeys: readonly string[]): void {
  expect(fieldsInError(page), 'fields marked in error').to.deep.equal([...errorKeys].sort());
  for (const field of ['firstName', 'lastName', 'emailAddress', 'companyName']) {
    const raw = rawInputValue(page, field);
    expect(raw, `value attribute of ${field}`).to.be.a('string');
    expect(/[<>"'`]/.test(raw ?? ''), `${field} value is escaped`).to.equal(false);
    expect(unescapeHtml(raw ?? ''), `${field} keeps what was typed`).to.equal(firstPosted(form.entries, field) ?? '');
  }
  for (const field of ['countryCode', 'roleCode'] as const) {
    const posted = firstPosted(form.entries, field) ?? '-';
    expect(selectedOptions(page, field), `${field} selection`).to.deep.equal(CODES[field].includes(posted) ? [posted] : []);
  }
  const posted = firstPosted(form.entries, 'submissionId');
  const kept = rawInputValue(page, 'submissionId');
  if (isCorrelationId(posted)) expect(kept, 'submissionId is kept').to.equal(posted.toLowerCase());
  else expect(isCorrelationId(kept), 'a fresh submissionId replaces a malformed one').to.equal(true);
  const markup = withoutAttributeValues(page);
  expectOnlyAppMarkup(markup, 'the re-rendered form');
  expectNoInternalDetail(markup, 'the re-rendered form');
}

/**
 * Checks the form's answer against the expectation: never 5xx, security headers,
 * 303 to the thank-you page for a valid sign-up, 400 with the form again (each
 * expected field in error, every typed value kept and escaped, nothing else
 * injected), and a refusal page (or JSON when asked for) for 400/413/415.
 */
export function expectFormAnswer(res: Response, form: FormRequest, expected: AnswerExpectation): void {
  const context = `form ${res.status}`;
  expectEveryAnswerSafe(res, context);
  switch (expected.kind) {
    case 'saved':
      expect(res.status, context).to.equal(303);
      expect(res.headers.location).to.equal('/app/ThankYou');
      return;
    case 'invalid':
      expect(res.status, context).to.equal(400);
      expect(res.headers['content-type'], context).to.match(/^text\/html; charset=utf-8/);
      expectReRenderedForm(res.text, form, expected.errorKeys);
      return;
    case 'refused':
      expect(res.status, context).to.equal(expected.status);
      if (form.accept === 'application/json') {
        expectMessageBody(res, context);
        expectNoInternalDetail(res.text, context);
      } else {
        expect(res.headers['content-type'], context).to.match(/^text\/html; charset=utf-8/);
        expect(res.text).to.not.contain('<form');
        expectOnlyAppMarkup(withoutAttributeValues(res.text), context);
        expectNoInternalDetail(res.text, context);
      }
  }
}

/** Object.prototype's own keys now, to compare after hostile requests. */
export function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

/** Fails when a request managed to add anything to Object.prototype. */
export function expectNoPrototypePollution(before: readonly string[]): void {
  expect(prototypeKeys(), 'Object.prototype keys').to.deep.equal(before);
  expect(({} as Record<string, unknown>).polluted, 'polluted').to.equal(undefined);
}
