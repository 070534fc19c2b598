import { afterEach, beforeEach, describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import { DatabaseUnavailableError, QueueUnavailableError } from '@signup/domain';
import { createTestApp, fieldGroupOf, submissionIdOf, UUID_PATTERN, VALID_INPUT, type TestApp } from './test-app.js';

const LABELS = [
  ['First Name', 'firstName', 'input'],
  ['Last Name', 'lastName', 'input'],
  ['Email Address', 'emailAddress', 'input'],
  ['Company Name', 'companyName', 'input'],
  ['Country', 'countryCode', 'select'],
  ['Your Main Role', 'roleCode', 'select'],
] as const;

describe('web app pages', () => {
  let sandbox: sinon.SinonSandbox;
  let t: TestApp;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    t = createTestApp(sandbox);
  });

  afterEach(() => sandbox.restore());

  describe('GET /', () => {
    it('shows a landing page with the brand and a link to the form', async () => {
      const res = await request(t.callback).get('/').expect(200).expect('Content-Type', /text\/html/);
      expect(res.text).to.contain('class="navbar-brand');
      expect(res.text).to.contain('SignUp</a>');
      expect(res.text).to.contain('href="/app/SignUp"');
      expect(res.text).to.contain('<footer');
    });

    it('answers HEAD without a body', async () => {
      const res = await request(t.callback).head('/').expect(200);
      expect(res.text).to.equal(undefined);
    });
  });

  describe('GET /app/SignUp', () => {
    it('labels every field exactly and ties each label to its control', async () => {
      const res = await request(t.callback).get('/app/SignUp').expect(200);
      for (const [label, name, element] of LABELS) {
        expect(res.text, label).to.match(new RegExp(`<label for="${name}" class="form-label">${label}</label>`));
        expect(res.text, name).to.match(new RegExp(`<${element} [^>]*id="${name}" name="${name}"`));
      }
      expect(res.text).to.match(/<button type="submit"[^>]*>Go!<\/button>/);
      expect(res.text).to.contain('<form method="post" action="/app/SignUp"');
    });

    it('lists the countries and roles with "--Not telling" first and selected', async () => {
      const res = await request(t.callback).get('/app/SignUp').expect(200);
      const country = fieldGroupOf(res.text, 'countryCode');
      const role = fieldGroupOf(res.text, 'roleCode');
      expect(country).to.match(/<select[^>]*>\s*<option value="-" selected>--Not telling<\/option><option value="BGM">Belgium<\/option>/);
      expect(country).to.contain('<option value="GBR">United Kingdom</option>');
      expect(role).to.match(/<option value="-" selected>--Not telling<\/option><option value="AC">Architect<\/option>/);
      expect(role).to.contain('<option value="OP">IT Ops</option>');
    });

    it('renders a fresh submission id each time and is not cached', async () => {
      const first = await request(t.callback).get('/app/SignUp').expect(200).expect('Cache-Control', 'no-store');
      const second = await request(t.callback).get('/app/SignUp').expect(200);
      const a = submissionIdOf(first.text);
      const b = submissionIdOf(second.text);
      expect(a).to.match(UUID_PATTERN);
      expect(b).to.match(UUID_PATTERN);
      expect(a).to.not.equal(b);
    });

    it('links only local stylesheets and no script at all', async () => {
      const res = await request(t.callback).get('/app/SignUp').expect(200);
      expect(res.text).to.contain('<link rel="stylesheet" href="/static/bootstrap.min.css">');
      expect(res.text).to.contain('<link rel="stylesheet" href="/static/site.css">');
      expect(res.text).to.not.match(/<script/i);
      expect(res.text).to.not.match(/https?:\/\//);
    });

    it('answers 503 saying nothing was saved when the reference data cannot be loaded', async () => {
      t.loadReferenceData.rejects(new DatabaseUnavailableError('connect ECONNREFUSED 127.0.0.1:5432'));
      const res = await request(t.callback).get('/app/SignUp').expect(503).expect('Retry-After', '5');
      expect(res.text).to.contain('nothing was saved');
      expect(res.text).to.not.contain('ECONNREFUSED');
    });
  });

  describe('POST /app/SignUp', () => {
    it('saves a valid form and redirects with 303 to the thank-you page', async () => {
      const res = await request(t.callback).post('/app/SignUp').type('form').send(VALID_INPUT).expect(303);
      expect(res.headers.location).to.equal('/app/ThankYou');
      expect(t.save.calledOnce).to.equal(true);
      const event = t.save.firstCall.args[0];
      expect(event.prospect).to.deep.include({ firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com', companyName: 'Analytical Engines' });
      expect(event.prospect.country).to.deep.equal({ countryCode: 'GBR', countryName: 'United Kingdom' });
      expect(event.prospect.role).to.deep.equal({ roleCode: 'EN', roleName: 'Engineer' });
    });

    it('uses the posted submission id as the correlation id, so a double submit saves once', async () => {
      const submissionId = '6F1D3A52-8E0B-4C55-9A77-0D2C4B1E9F30';
      await request(t.callback).post('/app/SignUp').type('form').send({ ...VALID_INPUT, submissionId }).expect(303);
      await request(t.callback).post('/app/SignUp').type('form').send({ ...VALID_INPUT, submissionId }).expect(303);
      expect(t.save.callCount).to.equal(2);
      expect(t.save.firstCall.args[0].correlationId).to.equal(submissionId.toLowerCase());
      expect(t.save.secondCall.args[0].correlationId).to.equal(submissionId.toLowerCase());
    });

    it('replaces a malformed submission id with a new UUID and still saves', async () => {
      await request(t.callback).post('/app/SignUp').type('form').send({ ...VALID_INPUT, submissionId: 'not-a-uuid' }).expect(303);
      expect(t.save.firstCall.args[0].correlationId).to.match(UUID_PATTERN);
    });

    it('accepts a charset parameter on the content type', async () => {
      await request(t.callback).post('/app/SignUp')
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=UTF-8')
        .send(new URLSearchParams(VALID_INPUT).toString())
        .expect(303);
    });

    it('answers 400 with the form again, each error next to its field and nothing saved', async () => {
      const res = await request(t.callback).post('/app/SignUp').type('form')
        .send({ ...VALID_INPUT, firstName: '', emailAddress: 'not-an-email', countryCode: 'XXX' })
        .expect(400).expect('Content-Type', /text\/html/);
      expect(t.save.called).to.equal(false);
      const first = fieldGroupOf(res.text, 'firstName');
      expect(first).to.contain('class="form-control is-invalid"');
      expect(first).to.match(/<div id="firstName-error" class="invalid-feedback">Please enter your first name.<\/div>/);
      const email = fieldGroupOf(res.text, 'emailAddress');
      expect(email).to.contain('is-invalid');
      expect(email).to.contain('Please enter a valid email address');
      expect(fieldGroupOf(res.text, 'countryCode')).to.contain('Please choose a country from the list.');
      expect(fieldGroupOf(res.text, 'lastName')).to.not.contain('is-invalid');
      expect(fieldGroupOf(res.text, 'roleCode')).to.not.contain('is-invalid');
    });

    it('keeps the typed values, escaped, when re-rendering the form', async () => {
      const res = await request(t.callback).post('/app/SignUp').type('form')
        .send({ ...VALID_INPUT, firstName: '<script>alert("x")</script>', companyName: 'A & B "Co"', emailAddress: 'bad' })
        .expect(400);
      expect(res.text).to.not.contain('<script>');
      expect(fieldGroupOf(res.text, 'firstName')).to.contain('value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"');
      expect(fieldGroupOf(res.text, 'companyName')).to.contain('value="A &amp; B &quot;Co&quot;"');
      expect(fieldGroupOf(res.text, 'emailAddress')).to.contain('value="bad"');
      expect(fieldGroupOf(res.text, 'countryCode')).to.contain('<option value="GBR" selected>United Kingdom</option>');
      expect(fieldGroupOf(res.text, 'roleCode')).to.contain('<option value="EN" selected>Engineer</option>');
    });

    it('keeps the same submission id on the re-rendered form', async () => {
      const submissionId = '0b7ef1b0-3c0e-4a51-9f5e-2b1d2f4c7a10';
      const res = await request(t.callback).post('/app/SignUp').type('form')
        .send({ ...VALID_INPUT, lastName: '', submissionId }).expect(400);
      expect(submissionIdOf(res.text)).to.equal(submissionId);
    });

    it('puts a new UUID on the re-rendered form when the posted submission id was malformed', async () => {
      const res = await request(t.callback).post('/app/SignUp').type('form')
        .send({ ...VALID_INPUT, lastName: '', submissionId: '"><script>' }).expect(400);
      expect(submissionIdOf(res.text)).to.match(UUID_PATTERN);
      expect(res.text).to.not.contain('<script>');
    });

    it('treats a repeated field as invalid instead of failing', async () => {
      const body = `${new URLSearchParams(VALID_INPUT).toString()}&firstName=Eve`;
      const res = await request(t.callback).post('/app/SignUp').type('form').send(body).expect(400);
      expect(fieldGroupOf(res.text, 'firstName')).to.contain('First name must be text.');
      expect(fieldGroupOf(res.text, 'firstName')).to.contain('value="Ada"');
    });

    it('ignores __proto__, constructor and bracketed keys without polluting objects', async () => {
      const body = `${new URLSearchParams(VALID_INPUT).toString()}&__proto__=x&__proto__[polluted]=yes&constructor[prototype][polluted]=yes&firstName[]=z`;
      const res = await request(t.callback).post('/app/SignUp').type('form').send(body);
      expect(res.status).to.equal(303);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(Object.prototype).to.not.have.property('polluted');
    });

    it('answers 415 for a JSON body', async () => {
      const res = await request(t.callback).post('/app/SignUp').send(VALID_INPUT).expect(415).expect('Content-Type', /text\/html/);
      expect(res.text).to.contain('application/x-www-form-urlencoded');
      expect(t.save.called).to.equal(false);
    });

    it('answers 415 for a multipart body', async () => {
      await request(t.callback).post('/app/SignUp').field('firstName', 'Ada').expect(415);
    });

    it('answers 413 for a body over 16 KiB', async () => {
      const res = await request(t.callback).post('/app/SignUp').type('form')
        .send({ ...VALID_INPUT, companyName: 'x'.repeat(17 * 1024) }).expect(413);
      expect(res.text).to.contain('16 KiB');
      expect(t.save.called).to.equal(false);
    });

    it('answers 503 with Retry-After, saying nothing was saved, when the database is down', async () => {
      t.save.rejects(new DatabaseUnavailableError('connect ECONNREFUSED 10.0.0.5:5432'));
      const res = await request(t.callback).post('/app/SignUp').type('form').send(VALID_INPUT)
        .expect(503).expect('Retry-After', '5').expect('Content-Type', /text\/html/);
      expect(res.text).to.contain('nothing was saved');
      expect(res.text).to.contain('try again');
      expect(res.text).to.not.contain('ECONNREFUSED');
      expect(res.text).to.not.contain('Thank you');
    });

    it('answers 503 with Retry-After when the queue did not confirm', async () => {
      t.save.rejects(new QueueUnavailableError('no PubAck from nats://10.0.0.6:4222'));
      const res = await request(t.callback).post('/app/SignUp').type('form').send(VALID_INPUT).expect(503).expect('Retry-After', '5');
      expect(res.text).to.contain('nothing was saved');
      expect(res.text).to.not.contain('PubAck');
    });

    it('answers 500 with a generic page and logs the detail once when something unexpected fails', async () => {
      t.save.rejects(new Error('relation "Prospects" violates secret internals'));
      const res = await request(t.callback).post('/app/SignUp').type('form').send(VALID_INPUT).expect(500);
      expect(res.text).to.contain('Something went wrong');
      expect(res.text).to.not.contain('secret internals');
      expect(res.text).to.not.match(/at .+\.js:\d+/);
      expect(t.logger.lines.filter((line) => line.level === 'error')).to.have.length(1);
      expect((t.logger.lines.filter((line) => line.level === 'error')[0]?.fields?.error as Error).message).to.contain('secret internals');
    });
  });

  describe('GET /app/ThankYou', () => {
    it('thanks the person', async () => {
      const res = await request(t.callback).get('/app/ThankYou').expect(200);
      expect(res.text).to.contain('Thank you for signing up!');
    });
  });

  describe('unknown routes', () => {
    it('answers 404 with a page', async () => {
      const res = await request(t.callback).get('/no/such/page').expect(404).expect('Content-Type', /text\/html/);
      expect(res.text).to.contain('Page not found');
    });

    it('answers 405 with the allowed methods for a known path', async () => {
      const res = await request(t.callback).delete('/app/SignUp').expect(405);
      expect(res.headers.allow).to.contain('GET');
      expect(res.headers.allow).to.contain('POST');
    });
  });
});
