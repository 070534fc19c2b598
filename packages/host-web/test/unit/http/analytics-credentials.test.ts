import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'mocha';
import { expect } from 'chai';
import { ConfigurationError } from '@signup/adapters/config';
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

  it('generates a password when none is configured and prints it once on a terminal', () => {
    const logger = new RecordingLogger();
    const credentials = resolveAnalyticsCredentials({ username: 'admin' }, { generatePassword: true, generate: () => 'Generated-Pass_1', terminal: true }, logger);
    expect(credentials).to.deep.equal({ username: 'admin', password: 'Generated-Pass_1' });
    expect(logger.lines.map((line) => line.message)).to.deep.equal([
      'Analytics: /app/Analytics for the user "admin" with the password Generated-Pass_1 (generated at start and shown only here; set Analytics:Password to choose one)',
    ]);
  });

  describe('when standard output is not a terminal', () => {
    const folders: string[] = [];
    const newFolder = (): string => {
      folders.push(mkdtempSync(path.join(tmpdir(), 'signup-analytics-password-')));
      return folders.at(-1)!;
    };
    after(() => {
      for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
    });

    it('writes the generated password to its file, readable by its owner only, and logs only the path', () => {
      const folder = newFolder();
      const logger = new RecordingLogger();
      const file = path.join(folder, 'data', 'analytics-password');
      const credentials = resolveAnalyticsCredentials({ username: 'admin' },
        { generatePassword: true, generate: () => 'Generated-Pass_2', terminal: false, passwordFile: file }, logger);

      expect(credentials).to.deep.equal({ username: 'admin', password: 'Generated-Pass_2' });
      expect(readFileSync(file, 'utf8')).to.equal('Generated-Pass_2\n');
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(logger.messages()).to.deep.equal([`Analytics: /app/Analytics for the user "admin" with the password generated at start in ${file} `
        + '(readable by this user only; set Analytics:Password to choose one)']);
      expect(JSON.stringify(logger.lines)).to.not.contain('Generated-Pass_2');
    });

    it('replaces a file or a link already there rather than writing through it, and keeps it 0600', () => {
      const folder = newFolder();
      const file = path.join(folder, 'analytics-password');
      const target = path.join(folder, 'elsewhere');
      writeFileSync(target, 'untouched', { mode: 0o644 });
      symlinkSync(target, file);

      resolveAnalyticsCredentials({ username: 'admin' },
        { generatePassword: true, generate: () => 'Generated-Pass_3', terminal: false, passwordFile: file }, new RecordingLogger());

      expect(readFileSync(target, 'utf8')).to.equal('untouched');
      expect(lstatSync(file).isSymbolicLink()).to.equal(false);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
    });

    it('stops the host naming Analytics:Password when the file cannot be written', () => {
      const folder = newFolder();
      const blocker = path.join(folder, 'not-a-directory');
      writeFileSync(blocker, '');
      expect(() => resolveAnalyticsCredentials({ username: 'admin' },
        { generatePassword: true, terminal: false, passwordFile: path.join(blocker, 'analytics-password') }, new RecordingLogger()))
        .to.throw(ConfigurationError, /^Analytics:Password is not set and the generated password cannot be written to /);
    });
  });

  it('generates a long random password by default, a new one each start', () => {
    const first = resolveAnalyticsCredentials({ username: 'admin' }, { generatePassword: true, terminal: true }, new RecordingLogger());
    const second = resolveAnalyticsCredentials({ username: 'admin' }, { generatePassword: true, terminal: true }, new RecordingLogger());
    expect(first?.password).to.match(/^[A-Za-z0-9_-]{24}$/);
    expect(first?.password).to.not.equal(second?.password);
  });

  it('keeps the analytics off without a password when it may not generate one, naming the key in one line', () => {
    const logger = new RecordingLogger();
    expect(resolveAnalyticsCredentials({ username: 'admin' }, { generatePassword: false }, logger)).to.equal(undefined);
    expect(logger.lines.map((line) => line.message)).to.deep.equal(['Analytics: off (/app/Analytics answers 404); set Analytics:Password to turn them on']);
  });
});
