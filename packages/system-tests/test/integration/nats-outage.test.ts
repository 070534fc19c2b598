import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@signup/test-support/postgres';
import { postProspect, postSignUpForm, prospectFields, startWeb, waitUntil, type WebHost } from '../../src/index.js';

describe('signup-web in asynchronous mode while NATS is down', function () {
  this.timeout(120_000);

  let nats: NatsServer;
  let database: TestDatabase;
  let web: WebHost;

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    nats = await NatsServer.start({ jetstream: true });
    database = await createTestDatabase();
    web = await startWeb({
      Dependencies__IProspectSaveHandler: 'AsynchronousProspectSaveHandler',
      MessageQueue__Url: nats.url,
      ConnectionStrings__SignUpDb: database.url,
    });
  });

  after(async () => {
    await web?.process.stop();
    await database?.drop();
    await nats?.stop();
  });

  it('answers 503 saying nothing was saved, then accepts sign-ups again by itself once NATS is back', async () => {
    expect((await postProspect(web.url, prospectFields(1))).status, 'accepted while NATS is up').to.equal(202);

    await nats.stop({ keepStore: true });
    const api = await postProspect(web.url, prospectFields(2));
    const apiBody = await api.text();
    const form = await postSignUpForm(web.url, prospectFields(3, { submissionId: randomUUID() }));
    const formBody = await form.text();

    expect(api.status).to.equal(503);
    expect(api.headers.get('retry-after')).to.match(/^\d+$/);
    expect(apiBody).to.match(/not (been )?saved|nothing was saved/i);
    expect(form.status, 'no thank-you page for a dropped sign-up').to.equal(503);
    expect(formBody).to.match(/not (been )?saved|nothing was saved/i);
    expect(`${apiBody}${formBody}`).to.not.match(/\bat .*\.js:\d+/);

    await nats.restart();
    const recovered = await waitUntil(async () => {
      const response = await postProspect(web.url, prospectFields(4));
      return response.status === 202 ? response : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500, description: 'signup-web to accept a sign-up after NATS came back' });
    expect(await recovered.json()).to.have.property('correlationId').that.is.a('string');
    expect(web.process.running, 'the web host stayed up').to.equal(true);
  });
});
