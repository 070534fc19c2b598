import { expect } from 'chai';
import { describe, it } from 'mocha';
import { checkHealth, type IHealthCheck } from '../../../src/index.js';

function check(name: string, run: () => Promise<void>): IHealthCheck {
  return { name, check: run };
}

describe('checkHealth', () => {
  it('reports every check that passed without a reason', async () => {
    const results = await checkHealth([check('database', () => Promise.resolve()), check('nats', () => Promise.resolve())], 1000);
    expect(results).to.deep.equal([{ name: 'database' }, { name: 'nats' }]);
  });

  it('reports the first line of the error of a check that failed', async () => {
    const results = await checkHealth([check('database', () => Promise.reject(new Error('connection refused\nat socket')))], 1000);
    expect(results).to.deep.equal([{ name: 'database', reason: 'connection refused' }]);
  });

  it('reports a check that does not answer within the timeout, and still answers for the others', async () => {
    const results = await checkHealth([
      check('nats', () => new Promise<void>(() => undefined)),
      check('database', () => Promise.resolve()),
    ], 20);
    expect(results).to.deep.equal([{ name: 'nats', reason: 'did not answer within 20 ms' }, { name: 'database' }]);
  });

  it('marks the result of a check that is not critical, passed or failed', async () => {
    const results = await checkHealth([
      { name: 'outbox relay', critical: false, check: () => Promise.reject(new Error('waiting for the message queue')) },
      { name: 'relay', critical: false, check: () => Promise.resolve() },
    ], 1000);
    expect(results).to.deep.equal([
      { name: 'outbox relay', reason: 'waiting for the message queue', critical: false },
      { name: 'relay', critical: false },
    ]);
  });

  it('reports a check that throws a value that is not an Error', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    const results = await checkHealth([check('api', () => Promise.reject('503 from upstream'))], 1000);
    expect(results[0]?.reason).to.equal('503 from upstream');
  });
});
