import { expect } from 'chai';
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
});
