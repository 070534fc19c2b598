import { afterEach, beforeEach, describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { DatabaseUnavailableError, QueueUnavailableError } from '@signup/domain';
import { createTestApp, UUID_PATTERN, VALID_INPUT, type TestApp } from './test-app.js';

describe('web app JSON API', () => {
  let sandbox: sinon.SinonSandbox;
  let t: TestApp;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    t = createTestApp(sandbox);
  });

  afterEach(() => sandbox.restore());

  describe('POST /api/prospects', () => {
    it('answers 202 with the correlation id when the prospect was queued', async () => {
      const res = await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(202).expect('Content-Type', /json/);
      expect(Object.keys(res.body as object)).to.deep.equal(['correlationId']);
      expect((res.body as { correlationId: string }).correlationId).to.match(UUID_PATTERN);
      expect(t.save.firstCall.args[0].correlationId).to.equal((res.body as { correlationId: string }).correlationId);
    });

    it('answers a sign-up sent to the path in another case or with a trailing slash as one sent to the exact path', async () => {
      await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(202);
      await request(t.callback).post('/API/Prospects').send(VALID_INPUT).expect(202);
      await request(t.callback).post('/api/prospects/').send(VALID_INPUT).expect(202);
      const metrics = await t.metrics.render();
      expect(metrics).to.contain('http_requests_total{method="POST",route="/api/prospects",status="202"} 3');
      expect(metrics).to.contain('prospect_saves_total{handler="AsynchronousProspectSaveHandler"} 3');
    });

    it('answers 201 with the prospect id when the prospect was saved', async () => {
      t.save.callsFake((event) => Promise.resolve({ status: 'saved', correlationId: event.correlationId, prospectId: 42 }));
      const res = await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(201);
      expect(res.body).to.have.property('prospectId', 42);
      expect((res.body as { correlationId: string }).correlationId).to.match(UUID_PATTERN);
    });

    it('uses the Idempotency-Key header as the correlation id', async () => {
      const key = '9C4B8A34-3D1F-4E2A-8B7C-6D5E4F3A2B1C';
      const res = await request(t.callback).post('/api/prospects').set('Idempotency-Key', key).send(VALID_INPUT).expect(202);
      expect(res.body).to.deep.equal({ correlationId: key.toLowerCase() });
      expect(t.save.firstCall.args[0].correlationId).to.equal(key.toLowerCase());
    });

    it('answers 400 naming the header when Idempotency-Key is not a UUID', async () => {
      const res = await request(t.callback).post('/api/prospects').set('Idempotency-Key', 'abc').send(VALID_INPUT).expect(400);
      expect(Object.keys(res.body as object)).to.deep.equal(['errors']);
      expect((res.body as { errors: Record<string, string> }).errors).to.have.all.keys('Idempotency-Key');
      expect((res.body as { errors: Record<string, string> }).errors['Idempotency-Key']).to.contain('UUID');
      expect(t.save.called).to.equal(false);
    });

    it('answers 400 with an error per invalid field', async () => {
      const res = await request(t.callback).post('/api/prospects')
        .send({ ...VALID_INPUT, lastName: ' ', emailAddress: 'x@', roleCode: 'ZZ' }).expect(400);
      expect(Object.keys(res.body as object)).to.deep.equal(['errors']);
      const errors = (res.body as { errors: Record<string, string> }).errors;
      expect(Object.keys(errors).sort()).to.deep.equal(['emailAddress', 'lastName', 'roleCode']);
      expect(errors.lastName).to.equal('Please enter your last name.');
      expect(t.save.called).to.equal(false);
    });

    it('answers 400 naming the field, before anything is queued, for a name SQL Server\'s nvarchar(100) cannot hold', async () => {
      const res = await request(t.callback).post('/api/prospects').send({ ...VALID_INPUT, firstName: '😀'.repeat(100) }).expect(400);
      expect(res.body).to.deep.equal({ errors: { firstName: 'First name must be 100 characters or fewer (some characters, such as emoji, count as two).' } });
      expect(t.save.called, 'queued').to.equal(false);
    });

    it('answers 400 with errors.body for malformed JSON', async () => {
      const res = await request(t.callback).post('/api/prospects').set('Content-Type', 'application/json').send('{"firstName": ').expect(400);
      expect(res.body).to.deep.equal({ errors: { body: 'The request body is not valid JSON.' } });
    });

    for (const [title, body] of [['an array', '[1,2]'], ['null', 'null'], ['a string', '"Ada"'], ['an empty body', '']] as const) {
      it(`answers 400 with field errors for ${title}`, async () => {
        const res = await request(t.callback).post('/api/prospects').set('Content-Type', 'application/json').send(body).expect(400);
        expect(res.body).to.have.property('errors');
      });
    }

    it('answers 400 "must be text" for arrays and objects in fields', async () => {
      const res = await request(t.callback).post('/api/prospects')
        .send({ ...VALID_INPUT, firstName: ['Ada'], companyName: { a: 1 } }).expect(400);
      expect(res.body).to.have.nested.property('errors.firstName', 'First name must be text.');
      expect(res.body).to.have.nested.property('errors.companyName', 'Company name must be text.');
    });

    it('ignores __proto__ keys without polluting objects', async () => {
      const body = `{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, ${JSON.stringify(VALID_INPUT).slice(1)}`;
      await request(t.callback).post('/api/prospects').set('Content-Type', 'application/json').send(body).expect(202);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('keeps the last of duplicate JSON keys, as JSON.parse does, without failing', async () => {
      const body = `{"firstName": "Eve", ${JSON.stringify(VALID_INPUT).slice(1)}`;
      await request(t.callback).post('/api/prospects').set('Content-Type', 'application/json').send(body).expect(202);
      expect(t.save.firstCall.args[0].prospect.firstName).to.equal('Ada');
    });

    it('accepts application/json with a charset parameter', async () => {
      await request(t.callback).post('/api/prospects').set('Content-Type', 'application/json; charset=utf-8')
        .send(JSON.stringify(VALID_INPUT)).expect(202);
    });

    it('answers 415 for a form body', async () => {
      const res = await request(t.callback).post('/api/prospects').type('form').send(VALID_INPUT).expect(415).expect('Content-Type', /json/);
      expect(res.body).to.have.property('message').that.contains('application/json');
    });

    it('answers 415 for text/plain and for a charset other than UTF-8', async () => {
      await request(t.callback).post('/api/prospects').set('Content-Type', 'text/plain').send('{}').expect(415);
      await request(t.callback).post('/api/prospects').set('Content-Type', 'application/json; charset=iso-8859-1').send('{}').expect(415);
    });

    it('answers 413 for a body over 16 KiB', async () => {
      const res = await request(t.callback).post('/api/prospects').send({ ...VALID_INPUT, companyName: 'x'.repeat(16 * 1024) }).expect(413);
      expect(res.body).to.have.property('message').that.contains('16 KiB');
    });

    it('answers 400 for a body that is not UTF-8', async () => {
      const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
      const res = await request(t.callback).post('/api/prospects').set('Content-Type', 'application/json')
        .serialize((body: Buffer) => body as unknown as string).send(bytes).expect(400);
      expect(res.body).to.have.nested.property('errors.body');
      expect(t.save.called).to.equal(false);
    });

    it('answers 503 with Retry-After when the queue is unavailable', async () => {
      t.save.rejects(new QueueUnavailableError('publish timed out at nats://broker:4222'));
      const res = await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(503).expect('Retry-After', '5');
      expect(res.body).to.have.property('message').that.contains('nothing was saved');
      expect(JSON.stringify(res.body)).to.not.contain('broker');
    });

    it('answers 503 asking for a retry, without claiming nothing was saved, when the queue may have stored the event', async () => {
      t.save.rejects(new QueueUnavailableError('acknowledgement timed out', { outcomeUnknown: true }));
      const res = await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(503).expect('Retry-After', '5');
      expect(res.body).to.have.property('message').that.contains('could not confirm').and.contains('will not sign you up twice');
      expect(res.text).to.not.contain('nothing was saved');
    });

    it('answers 503 with Retry-After when the database is unavailable', async () => {
      t.save.rejects(new DatabaseUnavailableError('timeout acquiring a connection'));
      const res = await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(503).expect('Retry-After', '5');
      expect(res.body).to.have.property('message').that.contains('nothing was saved');
    });

    it('counts each 503 by what was away on /metrics', async () => {
      t.save.onFirstCall().rejects(new QueueUnavailableError('queue down'));
      t.save.onSecondCall().rejects(new DatabaseUnavailableError('database down'));
      t.save.onThirdCall().rejects(new QueueUnavailableError('queue down again'));
      for (let i = 0; i < 3; i += 1) await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(503);
      const metrics = await t.metrics.render();
      expect(metrics).to.match(/^signup_unavailable_responses_total\{cause="queue"\} 2$/m);
      expect(metrics).to.match(/^signup_unavailable_responses_total\{cause="database"\} 1$/m);
    });

    it('answers 503 without claiming nothing was saved when the connection was lost during the save', async () => {
      t.save.rejects(new DatabaseUnavailableError('Connection terminated unexpectedly', { outcomeUnknown: true }));
      const res = await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(503).expect('Retry-After', '5');
      expect(res.body).to.have.property('message').that.contains('could not confirm');
      expect(res.text).to.not.contain('nothing was saved');
    });

    it('answers 500 with a generic message and no stack when something unexpected fails', async () => {
      const failure = new TypeError('Cannot read properties of undefined (reading "knex")');
      t.save.rejects(failure);
      const res = await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(500);
      expect(Object.keys(res.body as object)).to.deep.equal(['message']);
      expect(res.text).to.not.contain('knex');
      expect(res.text).to.not.contain('TypeError');
      expect(t.logger.lines.filter((line) => line.level === 'error').map((line) => line.fields?.error)).to.deep.equal([failure]);
    });
  });

  describe('GET /api/countries', () => {
    it('lists the countries with "--Not telling" first', async () => {
      const res = await request(t.callback).get('/api/countries').expect(200).expect('Content-Type', /json/);
      const countries = res.body as { countryCode: string; countryName: string }[];
      expect(countries[0]).to.deep.equal({ countryCode: '-', countryName: '--Not telling' });
      expect(countries).to.deep.include({ countryCode: 'NOR', countryName: 'Norway' });
      expect(countries).to.have.length(14);
    });
  });

  describe('GET /api/roles', () => {
    it('lists the roles with "--Not telling" first', async () => {
      const res = await request(t.callback).get('/api/roles').expect(200);
      const roles = res.body as { roleCode: string; roleName: string }[];
      expect(roles[0]).to.deep.equal({ roleCode: '-', roleName: '--Not telling' });
      expect(roles).to.deep.include({ roleCode: 'OP', roleName: 'IT Ops' });
      expect(roles).to.have.length(6);
    });
  });

  describe('unknown API routes', () => {
    it('answers 404 with JSON', async () => {
      const res = await request(t.callback).get('/api/nothing-here').expect(404).expect('Content-Type', /json/);
      expect(res.body).to.have.property('message');
    });
  });
});
