import { request as httpRequest, type Server } from 'node:http';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import { createTestApp, VALID_INPUT, type TestApp } from './test-app.js';

interface RawAnswer {
  readonly status: number;
  readonly body: string;
}

function postChunked(port: number, path: string, type: string, chunks: readonly string[]): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ port, path, method: 'POST', headers: { 'Content-Type': type, 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    let index = 0;
    const writeNext = (): void => {
      if (index === chunks.length) {
        req.end();
        return;
      }
      req.write(chunks[index++], () => setImmediate(writeNext));
    };
    writeNext();
  });
}

describe('web app request bodies', () => {
  const sandbox = sinon.createSandbox();
  let t: TestApp;
  let server: Server;
  let port: number;

  before(async () => {
    t = createTestApp(sandbox);
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    sandbox.restore();
  });

  it('answers 413 when a chunked body without Content-Length grows past 16 KiB', async () => {
    const chunk = 'x'.repeat(4096);
    const answer = await postChunked(port, '/api/prospects', 'application/json', ['{"companyName":"', chunk, chunk, chunk, chunk, chunk, '"}']);
    expect(answer.status).to.equal(413);
    expect(t.save.called).to.equal(false);
  });

  it('reads a chunked body under the limit', async () => {
    const json = JSON.stringify(VALID_INPUT);
    const answer = await postChunked(port, '/api/prospects', 'application/json', [json.slice(0, 10), json.slice(10)]);
    expect(answer.status).to.equal(202);
  });

  it('keeps serving requests after refusing a large body', async () => {
    const answer = await postChunked(port, '/app/SignUp', 'application/x-www-form-urlencoded', [`companyName=${'y'.repeat(20_000)}`]);
    expect(answer.status).to.equal(413);
    const next = await postChunked(port, '/app/SignUp', 'application/x-www-form-urlencoded', [new URLSearchParams(VALID_INPUT).toString()]);
    expect(next.status).to.equal(303);
  });
});
