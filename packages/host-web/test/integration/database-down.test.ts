import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import request from 'supertest';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { InMemoryReferenceDataLoader, RecordingLogger } from '@signup/adapters/memory';
import { WebHost } from '../../src/composition/web-host.js';

const FORM = {
  firstName: 'Edsger',
  lastName: 'Dijkstra',
  emailAddress: 'edsger@example.com',
  countryCode: 'TNL',
  roleCode: 'EN',
};

describe('WebHost when the database is down in synchronous mode', () => {
  let host: WebHost;

  before(async () => {
    const settings = readSignUpSettings(loadConfiguration({
      env: {
        'ConnectionStrings:SignUpDb': 'postgres://root@127.0.0.1:1/signup',
        'Database:Migrate': 'false',
        'Dependencies:IProspectSaveHandler': 'SynchronousProspectSaveHandler',
      },
    }));
    host = await WebHost.create(settings, {
      logger: new RecordingLogger(),
      overrides: { referenceDataLoader: new InMemoryReferenceDataLoader() },
      app: { readinessTimeoutMs: 3000 },
    });
  });

  after(() => host?.stop());

  it('still serves the form from the cached reference data', async () => {
    await request(host.app.callback()).get('/app/SignUp').expect(200);
  });

  it('answers a form post quickly with 503 and Retry-After, saying nothing was saved', async () => {
    const started = Date.now();
    const res = await request(host.app.callback()).post('/app/SignUp').type('form').send(FORM).expect(503).expect('Retry-After', '5');
    expect(Date.now() - started).to.be.below(5000);
    expect(res.text).to.contain('nothing was saved');
  });

  it('answers the JSON API with 503 and Retry-After', async () => {
    const res = await request(host.app.callback()).post('/api/prospects').send(FORM).expect(503).expect('Retry-After', '5');
    expect(res.body).to.have.property('message').that.contains('nothing was saved');
  });

  it('is not ready, naming the database', async () => {
    const res = await request(host.app.callback()).get('/health/ready').expect(503);
    expect(res.body).to.have.property('status', 'not ready');
    expect(res.body).to.have.nested.property('checks.database', 'unavailable');
    expect(res.body).to.have.nested.property('checks.reference-data', 'ok');
  });

  it('is still live', async () => {
    await request(host.app.callback()).get('/health/live').expect(200);
  });
});
