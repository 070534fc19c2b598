import { expect } from 'chai';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { maskEmail, maskSecrets } from '../../../src/logging/mask-secrets.js';

describe('maskEmail', () => {
  it('keeps the first character of the local part and the domain', () => {
    expect(maskEmail('jane.doe@example.com')).to.equal('j***@example.com');
  });

  it('hides the length of the local part', () => {
    expect(maskEmail('j@example.com')).to.equal('j***@example.com');
    expect(maskEmail('jonathan+news@example.com')).to.equal('j***@example.com');
  });

  it('keeps a first character outside the Basic Multilingual Plane whole', () => {
    expect(maskEmail('😀smile@example.com')).to.equal('😀***@example.com');
  });

  it('masks text that is not an address completely', () => {
    expect(maskEmail('not-an-address')).to.equal('***');
    expect(maskEmail('@example.com')).to.equal('***');
    expect(maskEmail('jane@')).to.equal('***');
  });

  it('leaves an address that is already masked as it is', () => {
    expect(maskEmail('j***@example.com')).to.equal('j***@example.com');
  });
});

describe('maskSecrets', () => {
  describe('email addresses', () => {
    it('masks every address in free text', () => {
      expect(maskSecrets('Received event 1 for jane@example.com and bob.smith@mail.example.org'))
        .to.equal('Received event 1 for j***@example.com and b***@mail.example.org');
    });

    it('masks an address inside punctuation and quotes', () => {
      expect(maskSecrets('<jane@example.com>, "bob@example.com"')).to.equal('<j***@example.com>, "b***@example.com"');
    });

    it('masks an address with a non-Latin local part and domain', () => {
      expect(maskSecrets('from José.Núñez@correo.españa.es')).to.equal('from J***@correo.españa.es');
    });

    it("masks local parts holding ' = / or `, which validation accepts", () => {
      expect(maskSecrets("to o'hara@example.com and a=b@example.com or x/y@example.com")).to.equal('to o***@example.com and a***@example.com or x***@example.com');
    });

    it('masks a key written right before an address together with it, rather than leave part of the address', () => {
      expect(maskSecrets('email=jane@example.com')).to.equal('e***@example.com');
    });

    it('changes nothing when applied twice', () => {
      const once = maskSecrets('jane@example.com nats://user:pw@host:4222 Password=x;');
      expect(maskSecrets(once)).to.equal(once);
    });

    it('leaves text without secrets unchanged', () => {
      const text = 'Listening on subject: events.prospect.signedup, queue: save-handler';
      expect(maskSecrets(text)).to.equal(text);
    });
  });

  describe('URL credentials', () => {
    it('masks user and password', () => {
      expect(maskSecrets('Connecting to message queue url: nats://admin:s3cret@nats.local:4222'))
        .to.equal('Connecting to message queue url: nats://***:***@nats.local:4222');
    });

    it('masks a token given as the user part', () => {
      expect(maskSecrets('nats://mytoken@nats.local:4222')).to.equal('nats://***@nats.local:4222');
    });

    it('masks a password that holds an unescaped @', () => {
      expect(maskSecrets('postgres://root:p@ss@db.local:5432/signup')).to.equal('postgres://***:***@db.local:5432/signup');
    });

    it('masks every server of a comma-separated list', () => {
      expect(maskSecrets('nats://a:b@one:4222,nats://c:d@two:4222,nats://three:4222'))
        .to.equal('nats://***:***@one:4222,nats://***:***@two:4222,nats://three:4222');
    });

    it('masks credentials written without a scheme', () => {
      expect(maskSecrets('user:secret@mq:4222')).to.equal('***:***@mq:4222');
    });

    it('masks secret query parameters', () => {
      expect(maskSecrets('http://api/ref?token=abc&x=1')).to.equal('http://api/ref?token=***&x=1');
    });

    it('leaves a URL without credentials alone', () => {
      expect(maskSecrets('tls://nats.local:4222/path?x=1')).to.equal('tls://nats.local:4222/path?x=1');
    });
  });

  describe('ADO.NET connection strings', () => {
    it('masks Password and keeps the other keys', () => {
      expect(maskSecrets('Server=db;Database=SignUp;User Id=sa;Password=Hunter2!;TrustServerCertificate=true'))
        .to.equal('Server=db;Database=SignUp;User Id=sa;Password=***;TrustServerCertificate=true');
    });

    it('masks Pwd in any letter case, with spaces around =', () => {
      expect(maskSecrets('server=db;uid=sa;PWD = abc;')).to.equal('server=db;uid=sa;PWD = ***;');
    });

    it('masks a quoted password that holds a semicolon', () => {
      expect(maskSecrets('Server=db;Password="a;b""c";Database=x')).to.equal('Server=db;Password=***;Database=x');
      expect(maskSecrets("Server=db;Password='a;b';Database=x")).to.equal('Server=db;Password=***;Database=x');
    });

    it('masks a password at the end of the string', () => {
      expect(maskSecrets('Server=db;Password=last')).to.equal('Server=db;Password=***');
    });
  });

  describe('properties (fast-check)', () => {
    // Each form carries a secret (JANEDOE, S3CRETPW) where a log line would; random text goes around it.
    const secretForms = fc.constantFrom(
      'JANEDOE@example.com', 'x.JANEDOE+tag@mail.example.org', 'nats://user:S3CRETPW@host:4222', 'nats://S3CRETPW@host',
      'user:S3CRETPW@host', 'Server=db;Password=S3CRETPW;', 'Pwd = S3CRETPW', 'https://api?token=S3CRETPW&a=1',
    );
    const noise = fc.string({ maxLength: 6, unit: 'grapheme' });
    const line = fc.array(fc.tuple(noise, secretForms), { minLength: 1, maxLength: 5 })
      .map((parts) => parts.map(([before, secret]) => `${before} ${secret} `).join(''));

    it('leaves no secret visible in a line of random text around secrets', () => {
      fc.assert(fc.property(line, (value) => {
        const masked = maskSecrets(value);
        expect(masked).to.not.include('S3CRETPW');
        expect(masked).to.not.include('JANEDOE');
        expect(maskSecrets(masked)).to.not.include('S3CRETPW');
      }), { seed: 20261130, numRuns: 2000 });
    });

    it('returns text with neither @ nor = as it is', () => {
      fc.assert(fc.property(fc.string({ unit: 'grapheme' }).filter((value) => !value.includes('@') && !value.includes('=')),
        (value) => maskSecrets(value) === value), { seed: 20261130 });
    });
  });
});
