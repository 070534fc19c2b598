import { afterEach, beforeEach, describe, it } from 'mocha';
import { expect } from 'chai';
import sinon from 'sinon';
import request from 'supertest';
import type { IHealthCheck } from '@signup/domain';
import { createTestApp, VALID_INPUT } from './test-app.js';

function check(name: string, result: () => Promise<void>): IHealthCheck {
  return { name, check: result };
}

describe('web app operations endpoints', () => {
  let sandbox: sinon.SinonSandbox;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
  });

  afterEach(() => sandbox.restore());

  describe('GET /health/live', () => {
    it('answers 200 even when a dependency is down', async () => {
      const t = createTestApp(sandbox, { healthChecks: [check('database', () => Promise.reject(new Error('down')))] });
      const res = await request(t.callback).get('/health/live').expect(200).expect('Content-Type', /json/);
      expect(res.body).to.deep.equal({ status: 'live' });
    });
  });

  describe('GET /health/ready', () => {
    it('answers 200 when every check passes', async () => {
      const t = createTestApp(sandbox, { healthChecks: [check('database', () => Promise.resolve()), check('nats', () => Promise.resolve())] });
      const res = await request(t.callback).get('/health/ready').expect(200);
      expect(res.body).to.deep.equal({ status: 'ready', checks: { database: 'ok', nats: 'ok' } });
    });

    it('answers 503 naming the failing check, and logs its reason instead of answering with it', async () => {
      const t = createTestApp(sandbox, {
        healthChecks: [check('database', () => Promise.resolve()), check('nats', () => Promise.reject(new Error('disconnected from 10.0.0.7\nsecond line')))],
      });
      const res = await request(t.callback).get('/health/ready').expect(503).expect('Content-Type', /json/);
      expect(res.body).to.deep.equal({ status: 'not ready', checks: { database: 'ok', nats: 'unavailable' } });
      expect(res.text).to.not.contain('10.0.0.7');
      expect(t.logger.messages('warn')).to.deep.equal(['Not ready: nats: disconnected from 10.0.0.7']);
    });

    it('logs a failure once while it lasts, and logs the recovery', async () => {
      let healthy = false;
      const t = createTestApp(sandbox, {
        healthChecks: [check('database', () => (healthy ? Promise.resolve() : Promise.reject(new Error('connection refused'))))],
      });
      await request(t.callback).get('/health/ready').expect(503);
      await request(t.callback).get('/health/ready').expect(503);
      healthy = true;
      await request(t.callback).get('/health/ready').expect(200);
      expect(t.logger.messages('warn')).to.deep.equal(['Not ready: database: connection refused']);
      expect(t.logger.messages('info')).to.include('Ready again');
    });

    it('answers 503 within the timeout when a check hangs', async () => {
      const t = createTestApp(sandbox, {
        healthChecks: [check('database', () => new Promise<void>(() => undefined))],
        options: { readinessTimeoutMs: 50 },
      });
      const res = await request(t.callback).get('/health/ready').expect(503);
      expect(res.body).to.deep.equal({ status: 'not ready', checks: { database: 'unavailable' } });
      expect(t.logger.messages('warn')).to.deep.equal(['Not ready: database: did not answer within 50 ms']);
    });

    it('answers 200 with no checks configured', async () => {
      const t = createTestApp(sandbox);
      await request(t.callback).get('/health/ready').expect(200, { status: 'ready', checks: {} });
    });
  });

  describe('GET /metrics', () => {
    it('serves the Prometheus text format with default process metrics', async () => {
      const t = createTestApp(sandbox, { defaultMetrics: true });
      const res = await request(t.callback).get('/metrics').expect(200).expect('Content-Type', /text\/plain; version=0.0.4/);
      expect(res.text).to.contain('process_cpu_user_seconds_total');
      expect(res.text).to.contain('nodejs_eventloop_lag_seconds');
    });

    it('counts requests by method, route pattern and status, and saves by handler', async () => {
      const t = createTestApp(sandbox, { saveHandlerName: 'SynchronousProspectSaveHandler' });
      t.save.callsFake((event) => Promise.resolve({ status: 'saved', correlationId: event.correlationId, prospectId: 1 }));
      await request(t.callback).post('/app/SignUp').type('form').send(VALID_INPUT).expect(303);
      await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(201);
      await request(t.callback).post('/api/prospects').send({}).expect(400);
      await request(t.callback).get('/some/random/path/123').expect(404);
      const res = await request(t.callback).get('/metrics').expect(200);
      expect(res.text).to.contain('prospect_saves_total{handler="SynchronousProspectSaveHandler"} 2');
      expect(res.text).to.contain('http_requests_total{method="POST",route="/app/SignUp",status="303"} 1');
      expect(res.text).to.contain('http_requests_total{method="POST",route="/api/prospects",status="201"} 1');
      expect(res.text).to.contain('http_requests_total{method="POST",route="/api/prospects",status="400"} 1');
      expect(res.text).to.contain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
      expect(res.text).to.match(/http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/app\/SignUp",status="303"\} \d/);
      expect(res.text).to.not.contain('/some/random/path');
    });

    it('does not count rejected or failed sign-ups as saves', async () => {
      const t = createTestApp(sandbox);
      t.save.rejects(new Error('boom'));
      await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(500);
      await request(t.callback).post('/api/prospects').send({}).expect(400);
      const res = await request(t.callback).get('/metrics').expect(200);
      expect(res.text).to.not.match(/^prospect_saves_total\{/m);
    });

    it('keeps each app in its own registry', async () => {
      const a = createTestApp(sandbox);
      const b = createTestApp(sandbox);
      await request(a.callback).post('/api/prospects').send(VALID_INPUT).expect(202);
      const res = await request(b.callback).get('/metrics').expect(200);
      expect(res.text).to.not.match(/^prospect_saves_total\{/m);
    });
  });
});
