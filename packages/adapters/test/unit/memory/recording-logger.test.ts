import { expect } from 'chai';
import { describe, it } from 'mocha';
import { RecordingLogger } from '../../../src/memory/recording-logger.js';

describe('RecordingLogger', () => {
  it('keeps every line at every level, unmasked, in order', () => {
    const logger = new RecordingLogger();
    logger.debug('d');
    logger.info('for jane@example.com', { email: 'jane@example.com' });
    logger.warn('w');
    logger.error('e');
    expect(logger.lines).to.deep.equal([
      { level: 'debug', message: 'd', fields: {} },
      { level: 'info', message: 'for jane@example.com', fields: { email: 'jane@example.com' } },
      { level: 'warn', message: 'w', fields: {} },
      { level: 'error', message: 'e', fields: {} },
    ]);
  });

  it('lists messages, all or of one level', () => {
    const logger = new RecordingLogger();
    logger.info('a');
    logger.warn('b');
    logger.info('c');
    expect(logger.messages()).to.deep.equal(['a', 'b', 'c']);
    expect(logger.messages('info')).to.deep.equal(['a', 'c']);
  });

  it('finds a line by text or pattern, optionally of one level', () => {
    const logger = new RecordingLogger();
    logger.info('Prospect saved. Prospect ID: 3; event ID: abc');
    expect(logger.find('Prospect ID: 3')?.level).to.equal('info');
    expect(logger.find(/Prospect ID: \d+/u, 'info')).not.to.equal(undefined);
    expect(logger.find('Prospect ID: 3', 'error')).to.equal(undefined);
  });

  it('renders text as the console would, with secrets masked', () => {
    const logger = new RecordingLogger();
    logger.info('Received event for jane@example.com', { url: 'nats://u:p@host:4222' });
    logger.error('Failed', { error: new Error('boom') });
    expect(logger.text()).to.equal([
      'INFO  Received event for j***@example.com url=nats://***:***@host:4222',
      'ERROR Failed error="Error: boom"',
    ].join('\n'));
  });

  it('forgets every line on clear', () => {
    const logger = new RecordingLogger();
    logger.info('a');
    logger.clear();
    expect(logger.lines).to.be.empty;
  });
});
