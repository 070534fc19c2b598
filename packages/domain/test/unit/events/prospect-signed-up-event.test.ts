import { expect } from 'chai';
import { describe, it } from 'mocha';
import { isCorrelationId, PROSPECT_SIGNED_UP_EVENT_TYPE } from '../../../src/index.js';

describe('ProspectSignedUpEvent', () => {
  it('names its type, not a broker address', () => {
    expect(PROSPECT_SIGNED_UP_EVENT_TYPE).to.equal('ProspectSignedUp');
  });

  describe('isCorrelationId', () => {
    it('accepts a UUID in canonical text form, in either case', () => {
      expect(isCorrelationId('0f8fad5b-d9cb-469f-a165-70867728950e')).to.equal(true);
      expect(isCorrelationId('0F8FAD5B-D9CB-469F-A165-70867728950E')).to.equal(true);
    });

    it('refuses anything else', () => {
      for (const value of [
        '', 'not-a-uuid', '0f8fad5bd9cb469fa16570867728950e', '{0f8fad5b-d9cb-469f-a165-70867728950e}',
        ' 0f8fad5b-d9cb-469f-a165-70867728950e', '0f8fad5b-d9cb-469f-a165-70867728950e\n', 42, undefined, null,
      ]) {
        expect(isCorrelationId(value), String(value)).to.equal(false);
      }
    });
  });
});
