import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { RecordingLogger } from '@signup/adapters/memory';
import { createHandlerMetrics } from '../../src/monitoring/handler-metrics.js';
import { MonitoringServer } from '../../src/monitoring/monitoring-server.js';
import { Readiness } from '../../src/monitoring/readiness.js';

describe('MonitoringServer', () => {
  const metrics = createHandlerMetrics({ defaultMetrics: true });
  const readiness = new Readiness();
  let healthy = true;
  let failure = 'database down';
  readiness.add({ name: 'database', check: () => (healthy ? Promise.resolve() : Promise.reject(new Error(failure))) });
  const logger = new RecordingLogger();
  const server = new MonitoringServer({ port: 0, host: '127.0.0.1', registry: metrics.registry, readiness, logger });
  let base = '';

  before(async () => {
    base = `http://127.0.0.1:${await server.start()}`;
  });
  after(() => server.close());

  describe('GET /metrics', () => {
    it('serves the handler counter and the default process metrics in Prometheus text format', async () => {
      metrics.events.inc({ handler: 'save-handler', status: 'done' }, 3);

      const response = await fetch(`${base}/metrics`);
      const text = await response.text();

      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.include('text/plain');
      expect(text).to.include('message_handler_events_total{handler="save-handler",status="done"} 3');
      expect(text).to.include('process_cpu_user_seconds_total');
    });
  });

  describe('GET /health/live', () => {
    it('answers 200 while the process runs', async () => {
      const response = await fetch(`${base}/health/live`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ status: 'live' });
    });
  });

  describe('GET /health/ready', () => {
    it('answers 503 while starting', async () => {
      const response = await fetch(`${base}/health/ready`);
      expect(response.status).to.equal(503);
      expect(await response.json()).to.include({ status: 'starting' });
    });

    it('answers 200 with the checks once running and healthy, 503 naming the failing check otherwise', async () => {
      readiness.markRunning();
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.equal({ ready: true, status: 'ready', checks: { database: 'ok' } });

      healthy = false;
      const notReady = await fetch(`${base}/health/ready`);
      expect(notReady.status).to.equal(503);
      expect(await notReady.json()).to.deep.equal({ ready: false, status: 'not ready', checks: { database: 'unavailable' } });
      healthy = true;
    });

    it('answers no host, address or user name of a failing check, and logs why once, masked, each time it changes', async () => {
      readiness.markRunning();
      logger.clear();
      healthy = false;
      failure = 'connect ECONNREFUSED 10.0.0.7:5432 for postgres://signup:Hunter2pw@db.internal:5432/signup';

      const first = await (await fetch(`${base}/health/ready`)).text();
      await fetch(`${base}/health/ready`);
      healthy = true;
      await fetch(`${base}/health/ready`);

      expect(first).to.not.match(/10\.0\.0\.7|db\.internal|signup:|Hunter2pw/);
      expect(logger.messages('warn')).to.have.length(1);
      expect(logger.messages('warn')[0]).to.include('database: connect ECONNREFUSED 10.0.0.7:5432').and.include('postgres://***:***@db.internal')
        .and.not.include('Hunter2pw');
      expect(logger.messages('info')).to.include('Ready again');
      failure = 'database down';
    });
  });

  describe('other requests', () => {
    it('answers 404 for an unknown path and 405 for another method', async () => {
      expect((await fetch(`${base}/nope`)).status).to.equal(404);
      const post = await fetch(`${base}/metrics`, { method: 'POST' });
      expect(post.status).to.equal(405);
      expect(post.headers.get('allow')).to.equal('GET, HEAD');
    });
  });

  describe('start', () => {
    it('rejects when the port is taken', async () => {
      const port = Number(new URL(base).port);
      const second = new MonitoringServer({ port, host: '127.0.0.1', registry: metrics.registry, readiness, logger: new RecordingLogger() });
      let thrown: unknown;
      try {
        await second.start();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.have.property('code', 'EADDRINUSE');
    });
  });
});
