import { afterEach, beforeEach, describe, it } from 'mocha';
import { expect } from 'chai';
import request from 'supertest';
import { createFuzzApp, type FuzzApp } from '../../support/fuzz-app.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

describe('request bodies that are not what they claim to be', () => {
  let t: FuzzApp;

  beforeEach(async () => {
    t = await createFuzzApp('sync');
  });

  afterEach(() => t.close());

  const postForm = (body: string | Buffer): request.Test => request(t.callback).post('/app/SignUp')
    .set('Content-Type', FORM_TYPE).serialize((value: unknown) => value as string).send(Buffer.from(body));

  describe('POST /app/SignUp', () => {
    it('refuses a value percent-encoded in Latin-1 with 400 instead of storing U+FFFD', async () => {
      const res = await postForm('firstName=Zo%EB&lastName=Lovelace&emailAddress=zoe%40example.com').expect(400).expect('Content-Type', /text\/html/);
      expect(res.text).to.contain('not valid UTF-8');
      expect(await t.stored()).to.deep.equal([]);
    });

    it('refuses a key percent-encoded with a broken UTF-8 sequence', async () => {
      await postForm('firstName=Ada&lastName=Lovelace&emailAddress=ada%40example.com&%E2%82=1').expect(400);
      expect(await t.stored()).to.deep.equal([]);
    });

    it('refuses raw bytes that are not UTF-8', async () => {
      await postForm(Buffer.concat([Buffer.from('firstName=Ada&lastName='), Buffer.from([0xff, 0xfe]), Buffer.from('&emailAddress=ada%40example.com')])).expect(400);
      expect(await t.stored()).to.deep.equal([]);
    });

    it('decodes UTF-8 escapes, plus signs and literal percent signs as a browser means them', async () => {
      await postForm('firstName=Zo%C3%AB+%F0%9F%91%A9%E2%80%8D%F0%9F%92%BB&lastName=100%25+sure+%zz%&emailAddress=zoe%2Btag%40example.com&companyName=A%26B%3DC&flag')
        .expect(303);
      const [row] = await t.stored();
      expect(row?.prospect).to.include({ firstName: 'Zoë 👩‍💻', lastName: '100% sure %zz%', emailAddress: 'zoe+tag@example.com', companyName: 'A&B=C' });
    });
  });

  describe('POST /api/prospects', () => {
    it('answers 400 with errors.body for bytes that are not UTF-8, like malformed JSON', async () => {
      const body = Buffer.concat([Buffer.from('{"firstName":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","lastName":"L","emailAddress":"a@example.com"}')]);
      const res = await request(t.callback).post('/api/prospects').set('Content-Type', 'application/json')
        .serialize((value: unknown) => value as string).send(body).expect(400);
      expect(res.body).to.deep.equal({ errors: { body: 'The request body is not valid UTF-8.' } });
      expect(await t.stored()).to.deep.equal([]);
    });
  });
});
