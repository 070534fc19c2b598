import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignUpError } from '@signup/domain';
import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { ApiReferenceDataLoader } from '../../../src/http/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const CAMEL_COUNTRIES = [
  { countryCode: 'GBR', countryName: 'United Kingdom' },
  { countryCode: '-', countryName: '--Not telling' },
  { countryCode: 'NOR', countryName: 'Norway' },
];
const CAMEL_ROLES = [{ roleCode: '-', roleName: '--Not telling' }, { roleCode: 'EN', roleName: 'Engineer' }];
const PASCAL_COUNTRIES = [{ CountryCode: '-', CountryName: '--Not telling' }, { CountryCode: 'SWE', CountryName: 'Sweden' }];
const PASCAL_ROLES = [{ RoleCode: '-', RoleName: '--Not telling' }, { RoleCode: 'OP', RoleName: 'IT Ops' }];

function sendJson(response: ServerResponse, body: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function serving(countries: unknown, roles: unknown): Handler {
  return (request, response) => {
    if (request.url === '/api/countries') sendJson(response, countries);
    else if (request.url === '/api/roles') sendJson(response, roles);
    else sendJson(response, { error: 'not found' }, 404);
  };
}

async function failure(loader: ApiReferenceDataLoader): Promise<SignUpError> {
  const error = await loader.load().then(
    () => {
      throw new Error('expected load to fail');
    },
    (reason: unknown) => reason,
  );
  expect(error).to.be.instanceOf(SignUpError);
  const signUpError = error as SignUpError;
  expect(signUpError.code).to.equal('REFERENCE_DATA_UNAVAILABLE');
  expect(signUpError.transient).to.equal(true);
  return signUpError;
}

describe('ApiReferenceDataLoader', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const requests: IncomingMessage[] = [];

  before(async () => {
    server = createServer((request, response) => {
      requests.push(request);
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterEach(() => {
    requests.length = 0;
    server.closeAllConnections();
  });

  after(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  describe('load', () => {
    it('reads camelCase lists into reference data in display order', async () => {
      handler = serving(CAMEL_COUNTRIES, CAMEL_ROLES);

      const data = await new ApiReferenceDataLoader(base).load();

      expect(data.countries.map((c) => c.countryCode)).to.deep.equal(['-', 'NOR', 'GBR']);
      expect(data.role('EN')).to.deep.equal({ roleCode: 'EN', roleName: 'Engineer' });
    });

    it('reads the PascalCase lists of the original .NET API', async () => {
      handler = serving(PASCAL_COUNTRIES, PASCAL_ROLES);

      const data = await new ApiReferenceDataLoader(base).load();

      expect(data.country('SWE')).to.deep.equal({ countryCode: 'SWE', countryName: 'Sweden' });
      expect(data.roles).to.deep.equal([{ roleCode: '-', roleName: '--Not telling' }, { roleCode: 'OP', roleName: 'IT Ops' }]);
    });

    it('requests <base>/countries and <base>/roles as JSON, with or without a trailing slash on the base', async () => {
      handler = serving(CAMEL_COUNTRIES, CAMEL_ROLES);

      await new ApiReferenceDataLoader(`${base}/`).load();
      await new ApiReferenceDataLoader(base).load();

      expect(requests.map((r) => r.url).sort()).to.deep.equal(['/api/countries', '/api/countries', '/api/roles', '/api/roles']);
      expect(requests.every((r) => r.method === 'GET' && r.headers.accept === 'application/json')).to.equal(true);
    });

    it('fails when the API answers 500, saying so', async () => {
      handler = (request, response) => {
        if (request.url === '/api/roles') sendJson(response, { error: 'boom' }, 500);
        else sendJson(response, CAMEL_COUNTRIES);
      };

      const error = await failure(new ApiReferenceDataLoader(base));

      expect(error.message).to.contain(`${base}/roles`).and.to.contain('500');
    });

    it('fails when the API does not answer within the timeout', async () => {
      handler = () => undefined;

      const started = Date.now();
      const error = await failure(new ApiReferenceDataLoader(base, { timeoutMs: 200 }));

      expect(Date.now() - started).to.be.below(5000);
      expect(error.message).to.contain('did not answer within 200 ms');
      expect((error.cause as Error).name).to.equal('TimeoutError');
    });

    it('fails when the body stops arriving before the timeout', async () => {
      handler = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('[{"countryCode":');
      };

      const error = await failure(new ApiReferenceDataLoader(base, { timeoutMs: 200 }));

      expect(error.message).to.contain('did not answer within 200 ms');
    });

    it('fails when the body is not JSON', async () => {
      handler = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('<html>not json</html>');
      };

      const error = await failure(new ApiReferenceDataLoader(base));

      expect(error.message).to.contain('not JSON');
      expect(error.cause).to.be.instanceOf(SyntaxError);
    });

    for (const [what, countries] of [
      ['an object instead of a list', { countries: CAMEL_COUNTRIES }],
      ['an empty list', []],
      ['an item without a name', [{ countryCode: 'GBR' }]],
      ['an item whose code is not text', [{ countryCode: 1, countryName: 'One' }]],
      ['a null item', [null]],
    ] as const) {
      it(`fails when the API sends ${what}`, async () => {
        handler = serving(countries, CAMEL_ROLES);

        const error = await failure(new ApiReferenceDataLoader(base));

        expect(error.message).to.contain(`${base}/countries`);
      });
    }

    it('fails when nothing listens at the address, with the network error as cause', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));

      const error = await failure(new ApiReferenceDataLoader(`http://127.0.0.1:${port}/api`));

      expect(error.message).to.contain('could not be reached');
      expect(error.cause).to.be.instanceOf(Error);
    });

    it('sends credentials of the base URL as Basic authentication', async () => {
      handler = serving(CAMEL_COUNTRIES, CAMEL_ROLES);

      await new ApiReferenceDataLoader(base.replace('http://', 'http://reader:p%40ss@')).load();

      const expected = `Basic ${Buffer.from('reader:p@ss').toString('base64')}`;
      expect(requests.map((r) => r.headers.authorization)).to.deep.equal([expected, expected]);
    });

    it('keeps credentials of the base URL out of its errors', async () => {
      handler = (_request, response) => sendJson(response, {}, 503);

      const error = await failure(new ApiReferenceDataLoader(base.replace('http://', 'http://reader:hunter2@')));

      expect(error.message).to.contain('503');
      expect(error.message).not.to.contain('hunter2').and.not.to.contain('reader');
    });
  });

  describe('constructor', () => {
    it('rejects a base URL that is not http(s), naming ReferenceDataApi:Url', () => {
      expect(() => new ApiReferenceDataLoader('ftp://api')).to.throw(ConfigurationError, 'ReferenceDataApi:Url = "ftp://api"');
    });
  });
});
