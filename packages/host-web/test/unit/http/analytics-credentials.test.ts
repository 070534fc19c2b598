import { describe, it } from 'mocha';
import { expect } from 'chai';
import { RecordingLogger } from '@signup/adapters/memory';
import { resolveAnalyticsCredentials } from '../../../src/http/analytics-credentials.js';

describe('resolveAnalyticsCredentials', () => {
  it('uses the configured password, never logging it', () => {
    const logger = new RecordingLogger();
    const credentials = resolveAnalyticsCredentials({ username: 'business', password: 's3cret-pass' }, { generatePassword: true }, logger);
    expect(credentials).to.deep.equal({ username: 'business', password: 's3cret-pass' });
    expect(logger.lines).to.have.length(1);
    expect(logger.lines[0]?.message).to.equal('Analytics: /app/Analytics for the user "business" with the configured Analytics:Password');
    expect(JSON.stringify(logger.lines)).to.not.contain('s3cret-pass');
  });

  it('generates a password when none is configured and prints it once', () => {
    const logger = new RecordingLogger();
    const credentials = resolveAnalyticsCredentials({ username: 'admin' }, { generatePassword: true, generate: () => 'Generated-Pass_1' }, logger);
    expect(credentials).to.deep.equal({ username: 'admin', password: 'Generated-Pass_1' });
    expect(logger.lines.map((line) => line.message)).to.deep.equal([
      'Analytics: /app/Analytics for the user "admin" with the password Generated-Pass_1 (generated at start and shown only here; set Analytics:Password to choose one)',
    ]);
  });

  it('generates a long random password by default, a new one each start', () => {
    const first = resolveAnalyticsCredentials({ username: 'admin' }, { generatePassword: true }, new RecordingLogger());
    const second = resolveAnalyticsCredentials({ username: 'admin' }, { generatePassword: true }, new RecordingLogger());
    expect(first?.password).to.match(/^[A-Za-z0-9_-]{24}$/);
    expect(first?.password).to.not.equal(second?.password);
  });

  it('keeps the analytics off without a password when it may not generate one, naming the key in one line', () => {
    const logger = new RecordingLogger();
    expect(resolveAnalyticsCredentials({ username: 'admin' }, { generatePassword: false }, logger)).to.equal(undefined);
    expect(logger.lines.map((line) => line.message)).to.deep.equal(['Analytics: off (/app/Analytics answers 404); set Analytics:Password to turn them on']);
  });
});
