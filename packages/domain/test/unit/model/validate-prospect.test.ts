import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  isPlausibleEmailAddress,
  PROSPECT_LIMITS,
  ProspectInvalidError,
  ReferenceData,
  validateProspect,
} from '../../../src/index.js';

const reference = ReferenceData.defaults();

const VALID = Object.freeze({
  firstName: 'Jane',
  lastName: 'Doe',
  emailAddress: 'jane@example.com',
  companyName: 'Acme',
  countryCode: 'GBR',
  roleCode: 'EN',
});

/** The field errors validation reports for the input; fails the test when it accepts it. */
function errorsOf(input: unknown): Readonly<Record<string, string>> {
  try {
    validateProspect(input, reference);
  } catch (error) {
    expect(error).to.be.instanceOf(ProspectInvalidError);
    return (error as ProspectInvalidError).errors;
  }
  expect.fail('expected the input to be rejected');
}

function withField(field: string, value: unknown): Record<string, unknown> {
  return { ...VALID, [field]: value };
}

function longEmail(length: number): string {
  const local = 'a'.repeat(64);
  const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(length - 64 - 1 - 63 - 1 - 63 - 1 - 4)}.com`;
  return `${local}@${domain}`;
}

describe('validateProspect', () => {
  it('returns the prospect the input describes, with country and role resolved to their names', () => {
    expect(validateProspect(VALID, reference)).to.deep.equal({
      firstName: 'Jane',
      lastName: 'Doe',
      emailAddress: 'jane@example.com',
      companyName: 'Acme',
      country: { countryCode: 'GBR', countryName: 'United Kingdom' },
      role: { roleCode: 'EN', roleName: 'Engineer' },
    });
  });

  it('trims every text field', () => {
    const prospect = validateProspect({
      firstName: '  Jane ', lastName: '\tDoe\n', emailAddress: ' jane@example.com  ', companyName: ' Acme ', countryCode: ' GBR ', roleCode: ' EN',
    }, reference);
    expect(prospect).to.include({ firstName: 'Jane', lastName: 'Doe', emailAddress: 'jane@example.com', companyName: 'Acme' });
    expect(prospect.country.countryCode).to.equal('GBR');
    expect(prospect.role.roleCode).to.equal('EN');
  });

  it('reports every offending field at once, in a ProspectInvalidError', () => {
    let caught: unknown;
    try {
      validateProspect({ countryCode: 'XXX' }, reference);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ProspectInvalidError);
    const error = caught as ProspectInvalidError;
    expect(error.code).to.equal('PROSPECT_INVALID');
    expect(error.transient).to.equal(false);
    expect(Object.keys(error.errors).sort()).to.deep.equal(['countryCode', 'emailAddress', 'firstName', 'lastName']);
    expect(error.message).to.include('firstName').and.to.include('countryCode');
  });

  describe('first and last name', () => {
    for (const [field, label] of [['firstName', 'first name'], ['lastName', 'last name']] as const) {
      const capitalised = `${label[0]!.toUpperCase()}${label.slice(1)}`;

      it(`requires the ${label}`, () => {
        expect(errorsOf({ ...VALID, [field]: undefined })).to.deep.equal({ [field]: `Please enter your ${label}.` });
        expect(errorsOf(withField(field, null))).to.deep.equal({ [field]: `Please enter your ${label}.` });
        expect(errorsOf(withField(field, '   '))).to.deep.equal({ [field]: `Please enter your ${label}.` });
      });

      it(`accepts a ${label} of ${PROSPECT_LIMITS.name} characters and refuses one more`, () => {
        expect(validateProspect(withField(field, 'x'.repeat(100)), reference)[field]).to.have.length(100);
        expect(errorsOf(withField(field, 'x'.repeat(101)))).to.deep.equal({ [field]: `${capitalised} must be 100 characters or fewer.` });
      });

      it(`counts UTF-16 units in the ${label}, as SQL Server's nvarchar does, and says why an emoji counts as two`, () => {
        const fiftyEmoji = '😀'.repeat(50);
        expect(validateProspect(withField(field, fiftyEmoji), reference)[field]).to.equal(fiftyEmoji);
        expect(errorsOf(withField(field, '😀'.repeat(100)))).to.deep.equal({
          [field]: `${capitalised} must be 100 characters or fewer (some characters, such as emoji, count as two).`,
        });
      });

      it(`refuses control characters and line separators in the ${label}`, () => {
        for (const bad of ['Ja\nne', 'Ja\tne', 'Ja\u0000ne', 'Ja\u0085ne', 'Ja\u2028ne', 'Ja\u2029ne', 'Ja\u001bne']) {
          expect(errorsOf(withField(field, bad))).to.deep.equal({
            [field]: `${capitalised} contains characters that are not allowed, such as line breaks.`,
          });
        }
      });

      it(`refuses a lone surrogate in the ${label}`, () => {
        expect(errorsOf(withField(field, 'Ja\uD800ne'))).to.have.property(field);
      });

      it(`accepts names in any script, with apostrophes and hyphens, as the ${label}`, () => {
        for (const name of ["O'Brien", 'Jean-Luc', 'Björk', '王小明', 'Ἀριστοτέλης']) {
          expect(validateProspect(withField(field, name), reference)[field]).to.equal(name);
        }
      });

      it(`says the ${label} must be text when it is not`, () => {
        for (const wrong of [42, true, ['Jane'], { name: 'Jane' }]) {
          expect(errorsOf(withField(field, wrong))).to.deep.equal({ [field]: `${capitalised} must be text.` });
        }
      });
    }
  });

  describe('email address', () => {
    it('requires an email address', () => {
      expect(errorsOf({ ...VALID, emailAddress: undefined })).to.deep.equal({ emailAddress: 'Please enter your email address.' });
      expect(errorsOf(withField('emailAddress', ' '))).to.deep.equal({ emailAddress: 'Please enter your email address.' });
    });

    it('accepts plausible addresses', () => {
      for (const address of [
        'jane@example.com', 'jane.doe+news@mail.example.co.uk', "o'brien@example.ie", 'a@b.co', 'JANE@EXAMPLE.COM',
        'josé@correo.españa.es', 'user@example.xn--p1ai', 'x_y-z@sub-domain.example.org',
      ]) {
        expect(validateProspect(withField('emailAddress', address), reference).emailAddress).to.equal(address);
      }
    });

    it('refuses implausible addresses, saying what a valid one looks like', () => {
      for (const address of [
        'jane', 'jane@', '@example.com', 'jane@localhost', 'jane@example', 'jane@example.c', 'jane@example.123',
        'jane doe@example.com', 'jane..doe@example.com', '.jane@example.com', 'jane.@example.com', 'jane@-example.com',
        'jane@example-.com', 'jane@exa_mple.com', 'jane@@example.com', '<jane@example.com>', 'jane@example..com',
        'jane,doe@example.com', '"jane"@example.com', 'a\nb@example.com',
      ]) {
        expect(errorsOf(withField('emailAddress', address)), address)
          .to.deep.equal({ emailAddress: 'Please enter a valid email address, like name@example.com.' });
      }
    });

    it('refuses a local part longer than 64 characters', () => {
      expect(isPlausibleEmailAddress(`${'a'.repeat(64)}@example.com`)).to.equal(true);
      expect(isPlausibleEmailAddress(`${'a'.repeat(65)}@example.com`)).to.equal(false);
    });

    it(`accepts an address of ${PROSPECT_LIMITS.emailAddress} characters and refuses one more`, () => {
      expect(longEmail(254)).to.have.length(254);
      expect(validateProspect(withField('emailAddress', longEmail(254)), reference).emailAddress).to.have.length(254);
      expect(errorsOf(withField('emailAddress', longEmail(255))))
        .to.deep.equal({ emailAddress: 'Email address must be 254 characters or fewer.' });
    });

    it('refuses a lone surrogate, which cannot be stored as UTF-8', () => {
      expect(errorsOf(withField('emailAddress', 'ja\uD800ne@example.com'))).to.have.property('emailAddress');
    });

    it('says the email address must be text when it is not', () => {
      expect(errorsOf(withField('emailAddress', 7))).to.deep.equal({ emailAddress: 'Email address must be text.' });
    });
  });

  describe('company name', () => {
    it('is optional and empty when absent or blank', () => {
      expect(validateProspect({ ...VALID, companyName: undefined }, reference).companyName).to.equal('');
      expect(validateProspect(withField('companyName', '   '), reference).companyName).to.equal('');
      expect(validateProspect(withField('companyName', null), reference).companyName).to.equal('');
    });

    it(`accepts ${PROSPECT_LIMITS.companyName} characters and refuses one more`, () => {
      expect(validateProspect(withField('companyName', 'c'.repeat(200)), reference).companyName).to.have.length(200);
      expect(errorsOf(withField('companyName', 'c'.repeat(201))))
        .to.deep.equal({ companyName: 'Company name must be 200 characters or fewer.' });
    });

    it('refuses control characters', () => {
      expect(errorsOf(withField('companyName', 'Acme\r\nLtd')))
        .to.deep.equal({ companyName: 'Company name contains characters that are not allowed, such as line breaks.' });
    });

    it('says the company name must be text when it is not', () => {
      expect(errorsOf(withField('companyName', 3))).to.deep.equal({ companyName: 'Company name must be text.' });
    });
  });

  describe('country and role', () => {
    it('default to "--Not telling" when absent or blank', () => {
      for (const input of [{ ...VALID, countryCode: undefined, roleCode: undefined }, { ...VALID, countryCode: '', roleCode: ' ' }]) {
        const prospect = validateProspect(input, reference);
        expect(prospect.country).to.deep.equal({ countryCode: '-', countryName: '--Not telling' });
        expect(prospect.role).to.deep.equal({ roleCode: '-', roleName: '--Not telling' });
      }
    });

    it('accept "-" given explicitly', () => {
      const prospect = validateProspect({ ...VALID, countryCode: '-', roleCode: '-' }, reference);
      expect(prospect.country.countryCode).to.equal('-');
      expect(prospect.role.roleCode).to.equal('-');
    });

    it('accept every code of the reference data', () => {
      for (const country of reference.countries) {
        expect(validateProspect(withField('countryCode', country.countryCode), reference).country).to.deep.equal(country);
      }
      for (const role of reference.roles) {
        expect(validateProspect(withField('roleCode', role.roleCode), reference).role).to.deep.equal(role);
      }
    });

    it('refuse codes that are not in the reference data', () => {
      expect(errorsOf({ ...VALID, countryCode: 'XXX', roleCode: 'CEO' })).to.deep.equal({
        countryCode: 'Please choose a country from the list.',
        roleCode: 'Please choose a role from the list.',
      });
    });

    it('refuse a code that is not text', () => {
      expect(errorsOf({ ...VALID, countryCode: 1, roleCode: ['EN'] })).to.have.all.keys('countryCode', 'roleCode');
    });

    it('check against the reference data given, not the defaults', () => {
      const custom = new ReferenceData([{ countryCode: 'XX', countryName: 'Testland' }], [{ roleCode: 'QA', roleName: 'Tester' }]);
      const prospect = validateProspect({ ...VALID, countryCode: 'XX', roleCode: 'QA' }, custom);
      expect(prospect.country).to.deep.equal({ countryCode: 'XX', countryName: 'Testland' });
      expect(() => validateProspect(VALID, custom)).to.throw(ProspectInvalidError);
    });
  });

  describe('untrusted input', () => {
    it('reports the required fields for input that is not an object', () => {
      for (const input of [undefined, null, 'Jane', 42, true, []]) {
        expect(errorsOf(input)).to.have.all.keys('firstName', 'lastName', 'emailAddress');
      }
    });

    it('ignores fields it does not know', () => {
      const prospect = validateProspect({ ...VALID, prospectId: 99, isAdmin: true, extra: { a: 1 } }, reference);
      expect(prospect).to.have.all.keys('firstName', 'lastName', 'emailAddress', 'companyName', 'country', 'role');
    });

    it('reads own properties only, not inherited ones', () => {
      const inherited = Object.create(VALID) as object;
      expect(errorsOf(inherited)).to.have.all.keys('firstName', 'lastName', 'emailAddress');
    });

    it('ignores __proto__, constructor and prototype keys and pollutes nothing', () => {
      const input: unknown = JSON.parse(
        '{"__proto__":{"firstName":"Evil","polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":"x",'
        + '"firstName":"Jane","lastName":"Doe","emailAddress":"jane@example.com"}',
      );
      const prospect = validateProspect(input, reference);
      expect(prospect.firstName).to.equal('Jane');
      expect(prospect).not.to.have.property('polluted');
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('does not take an inherited first name planted through __proto__', () => {
      const input: unknown = JSON.parse('{"__proto__":{"firstName":"Evil"},"lastName":"Doe","emailAddress":"jane@example.com"}');
      expect(errorsOf(input)).to.deep.equal({ firstName: 'Please enter your first name.' });
    });

    it('refuses Object.prototype names as country or role codes', () => {
      for (const code of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        expect(errorsOf({ ...VALID, countryCode: code, roleCode: code })).to.have.all.keys('countryCode', 'roleCode');
      }
    });

    it('copes with an object without a prototype and with a shadowed hasOwnProperty', () => {
      const bare = Object.assign(Object.create(null) as object, VALID);
      expect(validateProspect(bare, reference).firstName).to.equal('Jane');
      expect(validateProspect({ ...VALID, hasOwnProperty: 'nope' }, reference).firstName).to.equal('Jane');
    });
  });
});
