import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import pg from 'pg';
import { createTestDatabase, requirePostgres } from '@signup/test-support/postgres';
import { freePort, startWebProcess } from './web-process.js';

interface ProspectRow {
  FirstName: string;
  CountryCode: string;
  RoleCode: string;
  EventId: string;
}

const SPELLINGS = [
  { title: 'ConnectionStrings:SignUpDb with a colon, Dependencies__IProspectSaveHandler with underscores', connection: 'ConnectionStrings:SignUpDb', handler: 'Dependencies__IProspectSaveHandler' },
  { title: 'both keys with double underscores', connection: 'ConnectionStrings__SignUpDb', handler: 'Dependencies__IProspectSaveHandler' },
  { title: 'both keys with colons', connection: 'ConnectionStrings:SignUpDb', handler: 'Dependencies:IProspectSaveHandler' },
] as const;

describe('signup-web process on PostgreSQL in synchronous mode', function () {
  this.timeout(60_000);
  let database: { url: string; drop(): Promise<void> } | undefined;
  let client: pg.Client;
  let folder: string;

  before(async function () {
    await requirePostgres(this);
    const created = await createTestDatabase();
    database = created;
    client = new pg.Client({ connectionString: created.url });
    await client.connect();
    folder = mkdtempSync(path.join(tmpdir(), 'signup-web-pg-'));
  });

  after(async () => {
    await client?.end();
    await database?.drop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  SPELLINGS.forEach((spelling, index) => {
    it(`saves a form post into Prospects, configured with ${spelling.title}`, async () => {
      const web = await startWebProcess(folder, {
        [spelling.connection]: database!.url,
        [spelling.handler]: 'SynchronousProspectSaveHandler',
        Web__Port: String(await freePort()),
      });
      try {
        expect(web.output()).to.contain('IProspectSaveHandler=SynchronousProspectSaveHandler');
        const submissionId = `5d1e7c3a-0b2f-4e6d-8a9c-${String(index).padStart(12, '0')}`;
        const res = await fetch(`${web.url}/app/SignUp`, {
          method: 'POST',
          body: new URLSearchParams({
            firstName: `Barbara${index}`,
            lastName: 'Liskov',
            emailAddress: `barbara${index}@example.com`,
            companyName: 'MIT',
            countryCode: 'SWE',
            roleCode: 'TR',
            submissionId,
          }),
          redirect: 'manual',
        });
        expect(res.status, web.output()).to.equal(303);
        expect(res.headers.get('location')).to.equal('/app/ThankYou');

        const { rows } = await client.query<ProspectRow>('SELECT * FROM "Prospects" WHERE "EmailAddress" = $1', [`barbara${index}@example.com`]);
        expect(rows).to.have.length(1);
        expect(rows[0]).to.include({ FirstName: `Barbara${index}`, CountryCode: 'SWE', RoleCode: 'TR', EventId: submissionId });
      } finally {
        const code = await web.stop();
        expect(code, web.output()).to.equal(0);
      }
    });
  });
});
