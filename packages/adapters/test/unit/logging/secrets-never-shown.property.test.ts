import { expect } from 'chai';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { ConsoleLogger } from '../../../src/logging/console-logger.js';
import { maskSecrets } from '../../../src/logging/mask-secrets.js';
import { maskConnectionString, parseConnectionString } from '../../../src/sql/connection-string.js';

const PRINTABLE = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
const password = fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 8, maxLength: 24 });
const SLOT = '\u0000';

// Each form holds the password where a user would write it, valid or not: in a URL any
// printable character (`#`, `/`, `?`, `@` unescaped make it unparseable), except a `,`
// followed by a scheme (the next server of a list) and, for a token alone, a `:` (which
// makes its start a user name); in an ADO.NET string any printable
// character, quoted when it holds a `;` or starts with a quote (a bare `;` ends the value,
// as ADO.NET reads it).
const URL_FORMS = [
  `postgres://signup:${SLOT}@db.internal:5432/signup`, `mysql://root:${SLOT}@db/signup`, `mssql://sa:${SLOT}@sql:1433/SignUp`,
  `nats://app:${SLOT}@nats:4222`, `nats://${SLOT}@nats:4222`, `nats://a:${SLOT}@one:4222,nats://b:${SLOT}@two:4222`,
  `http://admin:${SLOT}@elastic:9200`,
];
const ADO_FORMS = [
  `Server=tcp:sql,1433;Database=SignUp;User Id=sa;Password=${SLOT};TrustServerCertificate=true`,
  `Server=sql;Database=SignUp;Uid=sa;Pwd=${SLOT}`, `server=sql;PASSWORD = ${SLOT};database=x`,
];

const urlCase = fc.tuple(fc.constantFrom(...URL_FORMS), password)
  .filter(([form, secret]) => !/,[a-z][a-z0-9+.-]*:\/\//iu.test(secret) && !(form.includes(`//${SLOT}`) && secret.includes(':')));
const adoCase = fc.tuple(fc.constantFrom(...ADO_FORMS), password).map(([form, secret]) => {
  const quoted = secret.includes(';') || /^["'{]/u.test(secret);
  return [form, secret, quoted ? `"${secret.replaceAll('"', '""')}"` : secret] as const;
});
const anyCase = fc.oneof(
  urlCase.map(([form, secret]) => ({ text: form.replaceAll(SLOT, secret), secret, database: !form.includes(`//${SLOT}`) })),
  adoCase.map(([form, secret, written]) => ({ text: form.replaceAll(SLOT, written), secret, database: true })),
).filter(({ text, secret }) => !text.split(secret).join('').includes(secret) && !secret.includes('***'));

function logged(format: 'text' | 'json', text: string): string {
  const lines: string[] = [];
  const logger = new ConsoleLogger({ format, write: (line) => lines.push(line) });
  logger.info(`Connecting to ${text}`, { url: text, error: new Error(`connect failed for ${text}`, { cause: new Error(text) }) });
  logger.error(text);
  return lines.join('\n');
}

describe('Secrets in connection strings and URLs (fast-check)', function () {
  it('shows no generated password in any accepted form, valid or not, in a log line or a configuration error', function () {
    fc.assert(fc.property(anyCase, ({ text, secret, database }) => {
      expect(maskSecrets(text), 'maskSecrets').to.not.include(secret);
      expect(maskSecrets(maskSecrets(text)), 'maskSecrets twice').to.not.include(secret);
      // A database connection string names a user with its password; a token alone is for maskSecrets.
      if (database) expect(maskConnectionString(text), 'maskConnectionString').to.not.include(secret);
      expect(logged('text', text), 'text log').to.not.include(secret);
      expect(logged('json', text), 'JSON log').to.not.include(secret);
      if (!database) return;
      let shown: string;
      try {
        shown = parseConnectionString(text).display;
      } catch (error) {
        shown = (error as Error).message;
      }
      expect(shown, 'connection string display or error').to.not.include(secret);
    }), { numRuns: 1500 });
  });

  it('masks the password of a URL that does not parse, such as one holding an unescaped #', function () {
    expect(maskSecrets('postgres://u:pa#ss@db/x')).to.equal('postgres://***:***@db/x');
    expect(maskConnectionString('postgres://u:pa#ss@db/x')).to.equal('postgres://u:***@db/x');
    expect(maskSecrets('mssql://sa:a/b?c@sql/SignUp')).to.equal('mssql://***:***@sql/SignUp');
  });
});
