import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  DatabaseError,
  DatabaseUnavailableError,
  isTransientError,
  ProspectInvalidError,
  ProspectNotStorableError,
  QueueUnavailableError,
  ReferenceDataUnavailableError,
  SignUpError,
  UnknownReferenceCodeError,
} from '../../../src/index.js';

describe('SignUpError', () => {
  it('carries a stable code, the class name and the cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new DatabaseUnavailableError('Database down', { cause });
    expect(error).to.be.instanceOf(SignUpError).and.instanceOf(Error);
    expect(error.name).to.equal('DatabaseUnavailableError');
    expect(error.code).to.equal('DATABASE_UNAVAILABLE');
    expect(error.message).to.equal('Database down');
    expect(error.cause).to.equal(cause);
  });

  it('has no cause property unless one was given', () => {
    expect(new SignUpError('X', 'm')).not.to.have.property('cause');
  });

  it('gives each kind of failure its code', () => {
    expect(new QueueUnavailableError('m').code).to.equal('QUEUE_UNAVAILABLE');
    expect(new ProspectInvalidError({ firstName: 'Please enter your first name.' }).code).to.equal('PROSPECT_INVALID');
  });

  it('names the invalid fields in the message of ProspectInvalidError', () => {
    const error = new ProspectInvalidError({ firstName: 'a', emailAddress: 'b' });
    expect(error.message).to.equal('The prospect is not valid (firstName, emailAddress).');
    expect(error.errors).to.deep.equal({ firstName: 'a', emailAddress: 'b' });
  });

  describe('isTransientError', () => {
    it('is true for outages', () => {
      expect(isTransientError(new DatabaseUnavailableError('m'))).to.equal(true);
      expect(isTransientError(new QueueUnavailableError('m'))).to.equal(true);
      expect(isTransientError(new ReferenceDataUnavailableError('m'))).to.equal(true);
    });

    it('is false for bad data and foreign errors', () => {
      expect(isTransientError(new ProspectInvalidError({}))).to.equal(false);
      expect(isTransientError(new UnknownReferenceCodeError())).to.equal(false);
      expect(isTransientError(new ProspectNotStorableError('m'))).to.equal(false);
      expect(isTransientError(new DatabaseError('m'))).to.equal(false);
      expect(isTransientError(new Error('ECONNREFUSED'))).to.equal(false);
      expect(isTransientError({ transient: true })).to.equal(false);
      expect(isTransientError(undefined)).to.equal(false);
    });
  });
});
