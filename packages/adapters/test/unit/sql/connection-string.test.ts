import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { maskConnectionString, parseConnectionString } from '../../../src/sql/index.js';

function parseError(value: string): ConfigurationError {
  try {
    parseConnectionString(value);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  return expect.fail(`"${value}" was accepted`);
}

describe('parseConnectionString', function () {
  describe('sqlite', function () {
    it('reads a relative path', function () {
      expect(parseConnectionString('sqlite:./data/signup.db')).to.deep.equal({
        client: 'better-sqlite3', connection: { filename: './data/signup.db' }, display: 'sqlite:./data/signup.db',
      });
    });

    it('reads an in-memory database', function () {
      expect(parseConnectionString('sqlite::memory:').connection).to.deep.equal({ filename: ':memory:' });
    });

    it('reads an absolute path written as a URL', function () {
      expect(parseConnectionString('sqlite:///var/lib/signup/signup.db').connection).to.deep.equal({ filename: '/var/lib/signup/signup.db' });
    });

    it('ignores surrounding whitespace', function () {
      expect(parseConnectionString('  sqlite:x.db \n').connection).to.deep.equal({ filename: 'x.db' });
    });
  });

  describe('PostgreSQL', function () {
    it('passes a postgres:// URL to pg and masks the password for display', function () {
      const parsed = parseConnectionString('postgres://signup:s3cret@db.internal:5433/signup?sslmode=require');
      expect(parsed.client).to.equal('pg');
      expect(parsed.connection).to.deep.equal({ connectionString: 'postgres://signup:s3cret@db.internal:5433/signup?sslmode=require' });
      expect(parsed.display).to.equal('postgres://signup:***@db.internal:5433/signup?sslmode=require');
    });

    it('masks a password given as a query parameter', function () {
      expect(parseConnectionString('postgres://db/signup?user=signup&password=s3cret').display)
        .to.equal('postgres://db/signup?user=signup&password=***');
    });

    it('accepts postgresql:// without a password', function () {
      const parsed = parseConnectionString('postgresql://root@127.0.0.1/test');
      expect(parsed.client).to.equal('pg');
      expect(parsed.display).to.equal('postgresql://root@127.0.0.1/test');
    });
  });

  describe('MySQL and MariaDB', function () {
    it('takes a mysql:// URL apart, decoding the password', function () {
      const parsed = parseConnectionString('mysql://signup:p%40ss%3Bword@db:3307/signup');
      expect(parsed).to.deep.equal({
        client: 'mysql2',
        connection: { host: 'db', port: 3307, user: 'signup', password: 'p@ss;word', database: 'signup' },
        display: 'mysql://signup:***@db:3307/signup',
      });
    });

    it('defaults the port of a mariadb:// URL to 3306', function () {
      expect(parseConnectionString('mariadb://root@localhost/test').connection).to.deep.equal({
        host: 'localhost', port: 3306, user: 'root', database: 'test',
      });
    });

    it('turns ssl=true into a verified TLS connection', function () {
      expect(parseConnectionString('mysql://root@db/test?ssl=true').connection).to.include({ host: 'db' })
        .and.to.have.deep.property('ssl', { rejectUnauthorized: true });
    });
  });

  describe('SQL Server', function () {
    it('takes an mssql:// URL apart', function () {
      const parsed = parseConnectionString('mssql://sa:Secret123@sql.local:1433/SignUp?encrypt=true&trustServerCertificate=true');
      expect(parsed).to.deep.equal({
        client: 'mssql',
        connection: {
          server: 'sql.local', port: 1433, user: 'sa', password: 'Secret123', database: 'SignUp',
          options: { encrypt: true, trustServerCertificate: true, appName: 'signup' },
        },
        display: 'mssql://sa:***@sql.local:1433/SignUp?encrypt=true&trustServerCertificate=true',
      });
    });

    it('reads a JDBC style sqlserver:// string', function () {
      const parsed = parseConnectionString('sqlserver://sql.local:1444;databaseName=SignUp;user=sa;password=Secret123');
      expect(parsed.connection).to.deep.include({ server: 'sql.local', port: 1444, user: 'sa', password: 'Secret123', database: 'SignUp' });
      expect(parsed.display).to.not.include('Secret123');
    });

    it('reads the original app\'s ADO.NET string', function () {
      const parsed = parseConnectionString('Server=signup-db;Database=SignUp;User Id=sa;Password=DockerCon!!!');
      expect(parsed).to.deep.equal({
        client: 'mssql',
        connection: {
          server: 'signup-db', user: 'sa', password: 'DockerCon!!!', database: 'SignUp',
          options: { encrypt: false, trustServerCertificate: false, appName: 'signup' },
        },
        display: 'Server=signup-db;Database=SignUp;User Id=sa;Password=***',
      });
    });

    it('reads Server=tcp:host,port, Initial Catalog and TrustServerCertificate', function () {
      const parsed = parseConnectionString(
        'Server=tcp:signup-db.database.windows.net,1433;Initial Catalog=SignUp;Persist Security Info=False;'
        + 'User ID=signup;Password=N0tSecure;MultipleActiveResultSets=False;Encrypt=True;TrustServerCertificate=True;Connection Timeout=30;',
      );
      expect(parsed.client).to.equal('mssql');
      expect(parsed.connection).to.deep.equal({
        server: 'signup-db.database.windows.net', port: 1433, user: 'signup', password: 'N0tSecure', database: 'SignUp',
        options: { encrypt: true, trustServerCertificate: true, appName: 'signup' },
      });
    });

    it('accepts UID and PWD, a named instance and a quoted password with ; and doubled quotes', function () {
      const parsed = parseConnectionString('Data Source=db\\SQLEXPRESS;Initial Catalog=SignUp;UID=sa;PWD="a;b""c";Encrypt=mandatory');
      expect(parsed.connection).to.deep.equal({
        server: 'db', user: 'sa', password: 'a;b"c', database: 'SignUp',
        options: { encrypt: true, trustServerCertificate: false, instanceName: 'SQLEXPRESS', appName: 'signup' },
      });
      expect(parsed.display).to.equal('Data Source=db\\SQLEXPRESS;Initial Catalog=SignUp;UID=sa;PWD=***;Encrypt=mandatory');
    });

    it('treats keys case-insensitively and (local) as localhost', function () {
      const parsed = parseConnectionString('SERVER=(local);DATABASE=SignUp;USER ID=sa;PASSWORD=x');
      expect(parsed.connection).to.deep.include({ server: 'localhost', user: 'sa', database: 'SignUp' });
    });
  });

  describe('errors', function () {
    const cases: [string, string, RegExp][] = [
      ['an empty value', '', /it is empty/],
      ['an unknown scheme', 'oracle://scott:tiger@db/orcl', /scheme "oracle:\/\/" is not supported/],
      ['plain text', 'signup.db', /not a form SignUp recognises/],
      ['an empty sqlite path', 'sqlite:', /sqlite path is empty/],
      ['a port out of range', 'Server=db,99999;User Id=sa;Password=hunter2', /port "99999"/],
      ['a missing server', 'Database=SignUp;User Id=sa;Password=hunter2', /server is missing/],
      ['a missing user', 'Server=db;Database=SignUp;Password=hunter2', /User Id\) is missing/],
      ['an unknown key', 'Server=db;User Id=sa;Password=hunter2;Colour=blue', /key "Colour" is not a SQL Server connection setting/],
      ['integrated security', 'Server=db;Integrated Security=SSPI;Password=hunter2', /Integrated Security is not supported/],
      ['a part without =', 'Server=db;User Id=sa;Password=hunter2;oops', /part 4 is not a Key=Value pair/],
      ['an unclosed quote', 'Server=db;User Id=sa;Password="hunter2', /no closing "/],
      ['a bad boolean', 'Server=db;User Id=sa;Password=hunter2;Encrypt=perhaps', /Encrypt must be true or false/],
      ['an unknown MySQL option', 'mysql://root:hunter2@db/test?compress=1', /option "compress" is not supported/],
      ['a MySQL path with more than a database', 'mysql://root:hunter2@db/test/more', /just the database name/],
      ['a malformed URL', 'postgres://root:hunter2@db:port/test', /not a well-formed URL/],
    ];
    for (const [what, value, reason] of cases) {
      it(`rejects ${what} with one line naming ConnectionStrings:SignUpDb`, function () {
        const error = parseError(value);
        expect(error.key).to.equal('ConnectionStrings:SignUpDb');
        expect(error.message).to.match(/^ConnectionStrings:SignUpDb = ".*" is not a valid connection string: /);
        expect(error.message).to.match(reason);
        expect(error.message).to.include('sqlite:<path>');
        expect(error.message).to.not.include('hunter2');
        expect(error.message).to.not.match(/[\r\n]/);
      });
    }

    it('masks the password in the value it echoes', function () {
      expect(parseError('Server=db;User Id=sa;Password=hunter2;Colour=blue').message)
        .to.include('"Server=db;User Id=sa;Password=***;Colour=blue"');
      expect(parseError('postgres://root:hunter2@db:port/test').message).to.include('"postgres://root:***@db:port/test"');
    });
  });
});

describe('maskConnectionString', function () {
  it('masks URL passwords, even with an unencoded @', function () {
    expect(maskConnectionString('mysql://u:p@ss@db/x')).to.equal('mysql://u:***@db/x');
  });

  it('masks Password and PWD values, quoted or not, and query parameters', function () {
    expect(maskConnectionString('Server=db;PWD=\'a;b\';Password = x y;')).to.equal('Server=db;PWD=***;Password = ***;');
    expect(maskConnectionString('mssql://db/x?password=abc&encrypt=true')).to.equal('mssql://db/x?password=***&encrypt=true');
  });

  it('folds control characters onto one line', function () {
    expect(maskConnectionString('sqlite:a\nb')).to.equal('sqlite:a b');
  });
});
