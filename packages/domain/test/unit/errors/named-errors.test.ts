import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  DatabaseError,
  ProspectNotStorableError,
  ReferenceDataUnavailableError,
  SignUpError,
  UnknownReferenceCodeError,
} from '../../../src/index.js';

describe('the domain\'s named errors', () => {
  describe('UnknownReferenceCodeError', () => {
    it('names the field and the code when the store knows them', () => {
      const error = new UnknownReferenceCodeError({ field: 'roleCode', referenceCode: 'XX' });

      expect(error).to.be.instanceOf(SignUpError);
      expect(error).to.include({ code: 'UNKNOWN_REFERENCE_CODE', name: 'UnknownReferenceCodeError', transient: false, field: 'roleCode', referenceCode: 'XX' });
      expect(error.message).to.equal('roleCode: The role code "XX" is not in the reference data.');
    });

    it('names the field alone, or says country or role, when that is all the store can tell', () => {
      expect(new UnknownReferenceCodeError({ field: 'countryCode' }).message).to.equal('countryCode: The country code is not in the reference data.');
      const neither = new UnknownReferenceCodeError();
      expect(neither.message).to.equal('The country or role code is not in the reference data.');
      expect(neither.field).to.equal(undefined);
    });

    it('keeps the driver error as cause', () => {
      const cause = new Error('FOREIGN KEY constraint failed');
      expect(new UnknownReferenceCodeError({ cause }).cause).to.equal(cause);
    });
  });

  it('gives each failure its stable code, and only reference data that cannot be loaded is transient', () => {
    const cases: Array<[SignUpError, string, boolean]> = [
      [new ProspectNotStorableError('m'), 'PROSPECT_NOT_STORABLE', false],
      [new DatabaseError('m'), 'DATABASE_ERROR', false],
      [new ReferenceDataUnavailableError('m'), 'REFERENCE_DATA_UNAVAILABLE', true],
    ];
    for (const [error, code, transient] of cases) {
      expect(error, code).to.include({ code, transient, name: error.constructor.name });
    }
  });
});
