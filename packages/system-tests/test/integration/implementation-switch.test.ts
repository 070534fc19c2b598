import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@signup/test-support/postgres';
import { HostProcess, hostWorkDirectory, postProspect, prospectFields, startWeb, WEB_MAIN, type WebHost } from '../../src/index.js';

interface SwitchCase {
  readonly variable: string;
  readonly value: string;
  readonly chosen: 'SynchronousProspectSaveHandler' | 'AsynchronousProspectSaveHandler';
  readonly status: 201 | 202;
}

const cases: readonly SwitchCase[] = [
  { variable: 'Dependencies:IProspectSaveHandler', value: 'SynchronousProspectSaveHandler', chosen: 'SynchronousProspectSaveHandler', status: 201 },
  { variable: 'Dependencies:IProspectSaveHandler', value: 'SignUp.Web.ProspectSave.AsynchronousProspectSaveHandler', chosen: 'AsynchronousProspectSaveHandler', status: 202 },
  { variable: 'Dependencies__IProspectSaveHandler', value: 'AsynchronousProspectSaveHandler', chosen: 'AsynchronousProspectSaveHandler', status: 202 },
  { variable: 'Dependencies__IProspectSaveHandler', value: 'SignUp.Web.ProspectSave.SynchronousProspectSaveHandler', chosen: 'SynchronousProspectSaveHandler', status: 201 },
];

describe('switching the save implementation with environment variables only', function () {
  this.timeout(120_000);

  let nats: NatsServer;
  let database: TestDatabase;
  const webs = new Map<SwitchCase, WebHost>();

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    nats = await NatsServer.start({ jetstream: true });
    database = await createTestDatabase();
    const start = async (switchCase: SwitchCase): Promise<void> => {
      webs.set(switchCase, await startWeb({
        [switchCase.variable]: switchCase.value,
        MessageQueue__Url: nats.url,
        ConnectionStrings__SignUpDb: database.url,
      }, `signup-web ${switchCase.variable}=${switchCase.value}`));
    };
    // The first one creates the schema; the others start together.
    await start(cases[0]!);
    await Promise.all(cases.slice(1).map(start));
  });

  after(async () => {
    await Promise.all([...webs.values()].map((web) => web.process.stop()));
    await database?.drop();
    await nats?.stop();
  });

  for (const switchCase of cases) {
    it(`${switchCase.variable}=${switchCase.value} selects ${switchCase.chosen} (${switchCase.status}) and logs it`, async () => {
      const web = webs.get(switchCase)!;

      const response = await postProspect(web.url, prospectFields(1));
      const body = await response.json() as Record<string, unknown>;

      expect(response.status).to.equal(switchCase.status);
      expect(body).to.have.property('correlationId');
      if (switchCase.status === 201) expect(body).to.have.property('prospectId').that.is.a('number');
      expect(web.process.matching(`IProspectSaveHandler=${switchCase.chosen}`), 'the chosen mapping is logged').to.have.length.greaterThan(0);
    });
  }

  it('stops signup-web at start with one line naming the key and the accepted names for an unknown implementation', async () => {
    const web = HostProcess.start({
      name: 'signup-web with an unknown implementation',
      script: WEB_MAIN,
      env: { 'Dependencies:IProspectSaveHandler': 'FastProspectSaveHandler', ConnectionStrings__SignUpDb: database.url },
      cwd: hostWorkDirectory(),
    });
    const exit = await web.exited;

    expect(exit.code).to.equal(2);
    expect(web.stderrLines).to.have.length(1);
    expect(web.stderrLines[0]).to.include('Dependencies:IProspectSaveHandler = "FastProspectSaveHandler"')
      .and.include('SynchronousProspectSaveHandler').and.include('AsynchronousProspectSaveHandler');
  });
});
