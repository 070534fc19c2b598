import { expect } from 'chai';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import type { IHealthCheck } from '@signup/domain';
import { Readiness } from '../../src/monitoring/readiness.js';

const passing = (name: string): IHealthCheck => ({ name, check: () => Promise.resolve() });
const failing = (name: string, message: string): IHealthCheck => ({ name, check: () => Promise.reject(new Error(message)) });

describe('Readiness', () => {
  describe('report', () => {
    it('is not ready while starting, even when every check passes', async () => {
      const readiness = new Readiness();
      readiness.add(passing('database'));

      expect(await readiness.report()).to.deep.equal({ ready: false, status: 'starting', checks: { database: 'ok' }, failures: {} });
    });

    it('is ready once running when every check passes', async () => {
      const readiness = new Readiness();
      readiness.add(passing('database'));
      readiness.add(passing('message queue'));
      readiness.markRunning();

      expect(await readiness.report()).to.deep.equal({ ready: true, status: 'ready', checks: { database: 'ok', 'message queue': 'ok' }, failures: {} });
    });

    it('is not ready when a check fails, reporting it unavailable and why apart, with credentials masked', async () => {
      const readiness = new Readiness();
      readiness.add(passing('database'));
      readiness.add(failing('message queue', 'cannot reach nats://alice:s3cret@nats:4222'));
      readiness.markRunning();

      const report = await readiness.report();

      expect(report.ready).to.equal(false);
      expect(report.status).to.equal('not ready');
      expect(report.checks).to.deep.equal({ database: 'ok', 'message queue': 'unavailable' });
      expect(report.failures['message queue']).to.include('nats://***:***@nats:4222').and.not.include('s3cret');
    });

    it('counts a check that does not answer in time as failed', async () => {
      const readiness = new Readiness(20);
      readiness.add({ name: 'database', check: () => new Promise<void>(() => undefined) });
      readiness.markRunning();

      const report = await readiness.report();

      expect(report.ready).to.equal(false);
      expect(report.checks.database).to.equal('unavailable');
      expect(report.failures.database).to.equal('did not answer within 20 ms');
    });

    it('is not ready once stopping', async () => {
      const readiness = new Readiness();
      readiness.add(passing('database'));
      readiness.markRunning();
      readiness.markStopping();
      readiness.markRunning();

      expect(await readiness.report()).to.include({ ready: false, status: 'stopping' });
    });
  });

  describe('report of a check failing with a connection string in its message (fast-check)', () => {
    const password = fc.string({ unit: fc.constantFrom(...'abcXYZ019!#$%&/:?@[]^_{}~'), minLength: 8, maxLength: 20 })
      .filter((secret) => !secret.includes('***'));
    const form = fc.constantFrom('postgres://signup:%s@db.internal:5432/signup', 'mssql://sa:%s@sql/SignUp', 'Server=sql;User Id=sa;Password=%s;Database=x');

    it('answers no password and keeps none in the failures, valid URL or not', async () => {
      await fc.assert(fc.asyncProperty(form, password, async (template, secret) => {
        const readiness = new Readiness();
        readiness.add(failing('database', `cannot connect to ${template.replace('%s', secret)}`));
        readiness.markRunning();
        const { ready, status, checks, failures } = await readiness.report();
        expect(JSON.stringify({ ready, status, checks })).to.not.include(secret);
        expect(failures.database).to.not.include(secret);
      }), { numRuns: 200 });
    });
  });
});
