import { describe, it } from 'mocha';
import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { createFuzzApp, type SavePath } from '../../support/fuzz-app.js';
import { fuzzParameters } from '../../support/fuzz-settings.js';
import { predictValidation } from '../../support/prospect-oracle.js';
import { emailText, personText } from '../../support/hostile-strings.js';

const RUNS = 100;

/** A valid sign-up with hostile but acceptable text, and what it must be stored as. */
const validSignUp = fc.record({
  firstName: personText(100),
  lastName: personText(100),
  emailAddress: emailText,
  companyName: personText(200),
  countryCode: fc.constantFrom('-', 'GBR', 'USA', 'NOR', 'POL'),
  roleCode: fc.constantFrom('-', 'CO', 'TR', 'AC', 'EN', 'OP'),
}).map((input) => {
  const expected = predictValidation(input);
  return expected.valid ? { input, prospect: expected.prospect } : undefined;
}).filter((signUp): signUp is NonNullable<typeof signUp> => signUp !== undefined);

/** How a person or a client repeats a request: how often, at once or one after the other, the key's letter case. */
const repetition = fc.record({
  times: fc.integer({ min: 2, max: 5 }),
  concurrent: fc.boolean(),
  id: fc.uuid(),
  upperCaseOnRetry: fc.boolean(),
});

async function repeat<T>(times: number, concurrent: boolean, send: (attempt: number) => Promise<T>): Promise<T[]> {
  if (concurrent) return Promise.all(Array.from({ length: times }, (_, attempt) => send(attempt)));
  const answers: T[] = [];
  for (let attempt = 0; attempt < times; attempt += 1) answers.push(await send(attempt));
  return answers;
}

describe('repeated sign-ups (property-based)', function () {
  this.timeout(120_000);

  for (const path of ['sync', 'async'] as const satisfies readonly SavePath[]) {
    describe(`saving ${path === 'sync' ? 'synchronously' : 'through the in-process bus'}`, () => {
      it('stores one row when the same form is submitted again with the same submissionId', async () => {
        await fc.assert(fc.asyncProperty(validSignUp, repetition, async ({ input, prospect }, { times, concurrent, id, upperCaseOnRetry }) => {
          const t = await createFuzzApp(path);
          try {
            const answers = await repeat(times, concurrent, (attempt) => request(t.callback).post('/app/SignUp').type('form')
              .send({ ...input, submissionId: attempt > 0 && upperCaseOnRetry ? id.toUpperCase() : id }));
            expect(answers.map((res) => res.status)).to.deep.equal(answers.map(() => 303));
            const stored = await t.stored();
            expect(stored).to.have.length(1);
            expect(stored[0]?.correlationId).to.equal(id.toLowerCase());
            expect(stored[0]?.prospect).to.deep.equal({ ...prospect, prospectId: stored[0]?.prospectId });
          } finally {
            await t.close();
          }
        }), fuzzParameters(RUNS));
      });

      it('stores one row when an API call is retried with the same Idempotency-Key', async () => {
        await fc.assert(fc.asyncProperty(validSignUp, repetition, async ({ input, prospect }, { times, concurrent, id, upperCaseOnRetry }) => {
          const t = await createFuzzApp(path);
          try {
            const answers = await repeat(times, concurrent, (attempt) => request(t.callback).post('/api/prospects')
              .set('Idempotency-Key', attempt > 0 && upperCaseOnRetry ? id.toUpperCase() : id).send(input));
            expect(answers.map((res) => res.status)).to.deep.equal(answers.map(() => (path === 'sync' ? 201 : 202)));
            expect(answers.map((res) => (res.body as { correlationId: string }).correlationId)).to.deep.equal(answers.map(() => id.toLowerCase()));
            const stored = await t.stored();
            expect(stored).to.have.length(1);
            expect(stored[0]?.prospect).to.deep.equal({ ...prospect, prospectId: stored[0]?.prospectId });
            if (path === 'sync') {
              expect(answers.map((res) => (res.body as { prospectId: number }).prospectId)).to.deep.equal(answers.map(() => stored[0]?.prospectId));
            }
          } finally {
            await t.close();
          }
        }), fuzzParameters(RUNS));
      });

      it('keeps the first details when a retry under the same key carries different ones', async () => {
        const t = await createFuzzApp(path);
        try {
          const id = '5f0c7d3e-8a4b-4c2d-9e1f-0a1b2c3d4e5f';
          const first = { firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com' };
          await request(t.callback).post('/api/prospects').set('Idempotency-Key', id).send(first).expect(path === 'sync' ? 201 : 202);
          await t.stored();
          await request(t.callback).post('/api/prospects').set('Idempotency-Key', id)
            .send({ ...first, firstName: 'Eve', emailAddress: 'eve@example.com' }).expect(path === 'sync' ? 201 : 202);
          await request(t.callback).post('/app/SignUp').type('form').send({ ...first, lastName: 'Byron', submissionId: id }).expect(303);
          const stored = await t.stored();
          expect(stored).to.have.length(1);
          expect(stored[0]?.prospect).to.include({ firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com' });
        } finally {
          await t.close();
        }
      });
    });
  }
});
