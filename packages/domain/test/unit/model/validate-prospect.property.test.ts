import { expect } from 'chai';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import {
  type Prospect,
  PROSPECT_LIMITS,
  ProspectInvalidError,
  ReferenceData,
  toProspectInput,
  validateProspect,
} from '../../../src/index.js';

const reference = ReferenceData.defaults();
const FIELDS = ['firstName', 'lastName', 'emailAddress', 'companyName', 'countryCode', 'roleCode'] as const;

function fromEnvironment(name: string, fallback: number): number {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isSafeInteger(value) ? value : fallback;
}

// A fixed seed keeps runs repeatable; FC_SEED and FC_RUNS explore further.
const RUNS = { seed: fromEnvironment('FC_SEED', 42), numRuns: fromEnvironment('FC_RUNS', 2000) };

const FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
const lengthOf = (text: string): number => text.length;

const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u3000'), maxLength: 3 });
const padded = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(whitespace, text, whitespace).map(([before, core, after]) => `${before}${core}${after}`);

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  padded(fc.string({ unit: 'grapheme-ascii', minLength: 95, maxLength: 105 })),
  padded(fc.string({ unit: 'grapheme-ascii', minLength: 195, maxLength: 205 })),
);
const referenceCodes = [
  ...reference.countries.map((country) => country.countryCode),
  ...reference.roles.map((role) => role.roleCode),
];
const codeLike = fc.oneof(
  fc.constantFrom(...referenceCodes),
  padded(fc.constantFrom(...referenceCodes)),
  fc.constantFrom('', '__proto__', 'constructor', 'toString', 'gbr', 'XXX'),
  fc.string({ maxLength: 4 }),
);
const anything = fc.anything({
  withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withBigInt: true,
  withDate: true, withTypedArray: true, withSparseArray: true, withObjectString: true,
});
const fieldValue = fc.oneof(anyText, codeLike, fc.emailAddress(), anything, fc.constantFrom(undefined, null));
const fieldsRecord = fc.record(
  { firstName: fieldValue, lastName: fieldValue, emailAddress: fieldValue, companyName: fieldValue, countryCode: fieldValue, roleCode: fieldValue },
  { requiredKeys: [] },
);
const anyInput = fc.oneof(
  anything,
  fieldsRecord,
  fc.dictionary(fc.constantFrom(...FIELDS, '__proto__', 'constructor', 'prototype'), fieldValue),
);

const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
  .filter((text) => text.trim() !== '' && !FORBIDDEN.test(text) && lengthOf(text.trim()) <= PROSPECT_LIMITS.name);
const company = fc.string({ unit: 'grapheme', maxLength: 60 })
  .filter((text) => !FORBIDDEN.test(text) && lengthOf(text.trim()) <= PROSPECT_LIMITS.companyName);
const email = fc.emailAddress().filter((address) => address.length <= PROSPECT_LIMITS.emailAddress);
const validInput = fc.record({
  firstName: padded(name),
  lastName: padded(name),
  emailAddress: padded(email),
  companyName: fc.option(padded(company), { nil: undefined }),
  countryCode: fc.option(fc.constantFrom(...reference.countries.map((country) => country.countryCode)), { nil: undefined }),
  roleCode: fc.option(fc.constantFrom(...reference.roles.map((role) => role.roleCode)), { nil: undefined }),
});
const mostlyValidInput = fc.tuple(validInput, fc.constantFrom(...FIELDS), fieldValue, fc.boolean())
  .map(([input, field, value, spoil]) => (spoil ? { ...input, [field]: value } : input));

/** Validates, returning the prospect, or the ProspectInvalidError; anything else thrown fails the property. */
function attempt(input: unknown): Prospect | ProspectInvalidError {
  try {
    return validateProspect(input, reference);
  } catch (error) {
    if (error instanceof ProspectInvalidError) return error;
    throw error;
  }
}

describe('validateProspect (properties)', () => {
  it('throws nothing but ProspectInvalidError, naming known fields, whatever the input', () => {
    fc.assert(fc.property(fc.oneof(anyInput, mostlyValidInput), (input) => {
      const result = attempt(input);
      if (result instanceof ProspectInvalidError) {
        const fields = Object.keys(result.errors);
        expect(fields).not.to.be.empty;
        for (const field of fields) {
          expect(FIELDS).to.include(field);
          expect(result.errors[field]).to.be.a('string').and.not.be.empty;
        }
      }
    }), RUNS);
  });

  it('gives back the same prospect when an accepted prospect is validated again', () => {
    fc.assert(fc.property(fc.oneof(mostlyValidInput, fieldsRecord), (input) => {
      const prospect = attempt(input);
      if (prospect instanceof ProspectInvalidError) return;
      expect(validateProspect(toProspectInput(prospect), reference)).to.deep.equal(prospect);
    }), RUNS);
  });

  it('accepts only trimmed text within the limits, and codes of the reference data', () => {
    fc.assert(fc.property(fc.oneof(mostlyValidInput, fieldsRecord), (input) => {
      const prospect = attempt(input);
      if (prospect instanceof ProspectInvalidError) return;
      for (const text of [prospect.firstName, prospect.lastName, prospect.emailAddress, prospect.companyName]) {
        expect(text).to.equal(text.trim());
      }
      expect(prospect.firstName).not.to.equal('');
      expect(prospect.lastName).not.to.equal('');
      expect(lengthOf(prospect.firstName)).to.be.at.most(PROSPECT_LIMITS.name);
      expect(lengthOf(prospect.lastName)).to.be.at.most(PROSPECT_LIMITS.name);
      expect(lengthOf(prospect.emailAddress)).to.be.at.most(PROSPECT_LIMITS.emailAddress);
      expect(lengthOf(prospect.companyName)).to.be.at.most(PROSPECT_LIMITS.companyName);
      for (const text of [prospect.firstName, prospect.lastName, prospect.companyName]) expect(FORBIDDEN.test(text)).to.equal(false);
      expect(prospect.country).to.deep.equal(reference.country(prospect.country.countryCode));
      expect(prospect.role).to.deep.equal(reference.role(prospect.role.roleCode));
      expect(prospect).not.to.have.property('prospectId');
    }), RUNS);
  });

  it('accepts every valid input, trimmed, with "-" for a missing country or role', () => {
    fc.assert(fc.property(validInput, (input) => {
      const prospect = validateProspect(input, reference);
      expect(prospect.firstName).to.equal(input.firstName.trim());
      expect(prospect.lastName).to.equal(input.lastName.trim());
      expect(prospect.emailAddress).to.equal(input.emailAddress.trim());
      expect(prospect.companyName).to.equal(input.companyName?.trim() ?? '');
      expect(prospect.country.countryCode).to.equal(input.countryCode ?? '-');
      expect(prospect.role.roleCode).to.equal(input.roleCode ?? '-');
    }), RUNS);
  });

  it('refuses a name over the limit, naming the field', () => {
    const tooLong = fc.string({ unit: fc.constantFrom('a', 'é', '😀', 'ß'), minLength: PROSPECT_LIMITS.name + 1, maxLength: 150 });
    fc.assert(fc.property(validInput, fc.constantFrom('firstName', 'lastName'), tooLong, (input, field, value) => {
      const result = attempt({ ...input, [field]: value });
      expect(result).to.be.instanceOf(ProspectInvalidError);
      expect((result as ProspectInvalidError).errors).to.have.all.keys(field);
    }), { ...RUNS, numRuns: Math.min(RUNS.numRuns, 500) });
  });

  it('refuses a control character or line separator inside a name or company, naming the field', () => {
    const forbidden = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.integer({ min: 0x7f, max: 0x9f }),
      fc.constantFrom(0x2028, 0x2029, 0xd800, 0xdfff),
    ).map((code) => String.fromCharCode(code));
    const letters = fc.string({ unit: fc.constantFrom('a', 'Z', 'ł'), minLength: 1, maxLength: 10 });
    fc.assert(fc.property(
      validInput, fc.constantFrom('firstName', 'lastName', 'companyName'), letters, forbidden, letters,
      (input, field, before, bad, after) => {
        const result = attempt({ ...input, [field]: `${before}${bad}${after}` });
        expect(result).to.be.instanceOf(ProspectInvalidError);
        expect((result as ProspectInvalidError).errors).to.have.all.keys(field);
      },
    ), { ...RUNS, numRuns: Math.min(RUNS.numRuns, 500) });
  });

  it('leaves its input unchanged', () => {
    fc.assert(fc.property(fc.oneof(mostlyValidInput, fieldsRecord), (input) => {
      const before = fc.stringify(input);
      attempt(input);
      expect(fc.stringify(input)).to.equal(before);
    }), { ...RUNS, numRuns: Math.min(RUNS.numRuns, 500) });
  });
});
