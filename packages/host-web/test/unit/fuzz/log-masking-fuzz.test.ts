import { describe, it } from 'mocha';
import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { createFuzzApp } from '../../support/fuzz-app.js';
import { fuzzParameters } from '../../support/fuzz-settings.js';
import { personText } from '../../support/hostile-strings.js';
import { capturingLogger, expectMasked, levelOf } from '../../support/log-lines.js';
import { predictValidation } from '../../support/prospect-oracle.js';

const RUNS = 200;

const localPart = fc.array(
  fc.string({ unit: fc.constantFrom(...'abcxyzABCXYZ0189_-+', 'é', 'ü', 'ß', '山'), minLength: 1, maxLength: 8 }),
  { minLength: 1, maxLength: 3 },
).map((atoms) => atoms.join('.'));

const domain = fc.tuple(
  fc.array(fc.oneof(fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/), fc.constantFrom('bücher', '例え', 'EXAMPLE')), { minLength: 1, maxLength: 3 }),
  fc.constantFrom('com', 'org', 'co.uk', 'de', 'рф', 'museum'),
).map(([labels, top]) => [...labels, top].join('.'));

const signUp = fc.record({
  firstName: personText(100),
  lastName: personText(100),
  emailAddress: fc.tuple(localPart, domain).map(([local, host]) => `${local}@${host}`),
  companyName: fc.constantFrom('', 'Analytical Engines', 'mail eve@example.org for details'),
  countryCode: fc.constantFrom('-', 'GBR', 'NOR'),
  roleCode: fc.constantFrom('-', 'EN', 'AC'),
}).filter((input) => predictValidation(input).valid);

describe('log lines of sign-ups (property-based)', function () {
  this.timeout(120_000);

  it('mask every email address a sign-up brings in, in text and JSON lines, through the form and the API', async () => {
    await fc.assert(fc.asyncProperty(signUp, fc.constantFrom('text' as const, 'json' as const), fc.boolean(), async (input, format, viaForm) => {
      const { logger, lines } = capturingLogger(format);
      const t = await createFuzzApp('async', logger);
      try {
        if (viaForm) await request(t.callback).post('/app/SignUp').type('form').send(input).expect(303);
        else await request(t.callback).post('/api/prospects').send(input).expect(202);
        await t.stored();
      } finally {
        await t.close();
      }
      const email = input.emailAddress.trim();
      expect(lines.some((line) => line.includes(`***@${email.slice(email.lastIndexOf('@') + 1)}`)), 'the save handler logged the masked address').to.equal(true);
      expectMasked(lines, [], [email, 'eve@example.org']);
      expect(lines.map(levelOf).filter((level) => level === 'error' || level === 'unknown')).to.deep.equal([]);
    }), fuzzParameters(RUNS));
  });

  // RFC 5321 allows these characters in a local part and the validation accepts them.
  it("masks addresses whose local part holds ' = / or `", async () => {
    const emails = ["ada'@example.com", 'ada=@example.com', 'ada/@example.com', 'ada`@example.com', "o'hara@example.com", 'a=b@example.com', 'x/y@example.com'];
    const { logger, lines } = capturingLogger('text');
    const t = await createFuzzApp('async', logger);
    try {
      for (const emailAddress of emails) {
        await request(t.callback).post('/api/prospects').send({ firstName: 'Ada', lastName: 'Lovelace', emailAddress }).expect(202);
      }
      await t.stored();
    } finally {
      await t.close();
    }
    expectMasked(lines, [], emails);
  });
});
