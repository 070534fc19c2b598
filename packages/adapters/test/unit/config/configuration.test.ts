import { expect } from 'chai';
import { describe, it } from 'mocha';
import { Configuration } from '../../../src/config/index.js';

describe('Configuration', () => {
  describe('get', () => {
    it('finds a key in any casing', () => {
      const config = Configuration.from({ 'MessageQueue:Url': 'nats://mq:4222' });

      expect(config.get('messagequeue:url')).to.equal('nats://mq:4222');
      expect(config.get('MESSAGEQUEUE:URL')).to.equal('nats://mq:4222');
    });

    it('returns the last entry when several name the same key in different casings', () => {
      const config = new Configuration([['Web:Port', '1'], ['WEB:PORT', '2'], ['web:port', '3']]);

      expect(config.get('Web:Port')).to.equal('3');
    });

    it('returns undefined for a key nothing sets', () => {
      expect(new Configuration().get('Web:Port')).to.equal(undefined);
    });
  });

  describe('has', () => {
    it('is true for a key set to an empty string and false for an unset one', () => {
      const config = Configuration.from({ 'A:B': '', 'C:D': undefined });

      expect(config.has('a:b')).to.equal(true);
      expect(config.has('C:D')).to.equal(false);
    });
  });

  describe('keys', () => {
    it('lists each key once, spelled as its last entry spelled it', () => {
      const config = new Configuration([['web:port', '1'], ['Web:Port', '2'], ['Database:Migrate', 'true']]);

      expect(config.keys()).to.have.members(['Web:Port', 'Database:Migrate']);
    });
  });
});
