import { expect } from 'chai';
import { describe, it } from 'mocha';
import { isTransientError, SignUpError } from '@signup/domain';
import { ConfigurationError } from '../../../src/config/index.js';

describe('ConfigurationError', () => {
  it('is a permanent SignUp error coded CONFIGURATION_INVALID that names the key', () => {
    const cause = new Error('not a number');
    const error = new ConfigurationError('Web:Port', 'Web:Port = "x" is not a port number', { cause });
    expect(error).to.be.instanceOf(SignUpError);
    expect(error).to.include({ code: 'CONFIGURATION_INVALID', key: 'Web:Port', name: 'ConfigurationError', transient: false });
    expect(error.message).to.equal('Web:Port = "x" is not a port number');
    expect(error.cause).to.equal(cause);
    expect(isTransientError(error)).to.equal(false);
  });
});
