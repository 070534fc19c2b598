import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { freePort } from '@signup/test-support/free-port';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@signup/test-support/postgres';
import { familiesWithoutSamples, promtoolCheckMetrics, requirePromtool } from '@signup/test-support/promtool';
import { postProspect, prospectFields, ProspectsTable, startSaveHandler, startWeb, waitUntil, type HostProcess, type WebHost } from '../../src/index.js';

// prom-client's process metrics: some are empty by nature while the process is idle
// (nodejs_active_requests has a sample only while a libuv request is in flight).
const PROCESS_METRICS = /^(nodejs|process)_/;

/** Scrapes until every family of SignUp's own has a sample, and answers that text (process metrics included). */
function scrapeOnceEveryFamilyHasSamples(url: string, what: string): Promise<string> {
  return waitUntil(async () => {
    const text = await (await fetch(url)).text();
    const missing = familiesWithoutSamples(text, PROCESS_METRICS);
    if (missing.length > 0) throw new Error(`no sample yet of ${missing.join(', ')}`);
    return text;
  }, { timeoutMs: 30_000, description: `${what} to have a sample in every family` });
}

describe('the metrics both hosts serve pass promtool check metrics after real traffic (NATS JetStream, PostgreSQL)', function () {
  this.timeout(120_000);

  let nats: NatsServer;
  let database: TestDatabase;
  let table: ProspectsTable;
  let web: WebHost;
  let handler: HostProcess | undefined;
  let metricsPort: number;

  before(async function () {
    requirePromtool(this);
    requireNatsServer(this);
    await requirePostgres(this);
    nats = await NatsServer.start({ jetstream: true });
    database = await createTestDatabase();
    table = new ProspectsTable(database.url);
    metricsPort = await freePort();
    web = await startWeb({
      Dependencies__IProspectSaveHandler: 'AsynchronousProspectSaveHandler',
      MessageQueue__Url: nats.url,
      ConnectionStrings__SignUpDb: database.url,
    });
    handler = await startSaveHandler({
      MessageQueue__Url: nats.url,
      ConnectionStrings__SignUpDb: database.url,
      Metrics__Server__Enabled: 'true',
      Metrics__Server__Port: String(metricsPort),
      Metrics__ConsumerLag__IntervalSeconds: '0.2',
    });
    for (let index = 1; index <= 3; index += 1) expect((await postProspect(web.url, prospectFields(index))).status).to.equal(202);
    await table.waitForCount(3);
  });

  after(async () => {
    await Promise.all([handler?.stop(), web?.process.stop()]);
    await table?.close();
    await database?.drop();
    await nats?.stop();
  });

  it('signup-handler save: every family sampled, and promtool finds nothing to complain about', async () => {
    const text = await scrapeOnceEveryFamilyHasSamples(`http://127.0.0.1:${metricsPort}/metrics`, 'the handler\'s /metrics');

    expect(text).to.match(/^message_handler_events_total\{handler="save-handler",status="done"\} 3$/m);
    expect(promtoolCheckMetrics(text)).to.deep.equal({ status: 0, output: '' });
  });

  it('signup-web: every family sampled, a 503 included, and promtool finds nothing to complain about', async () => {
    await nats.stop({ keepStore: true });
    expect((await postProspect(web.url, prospectFields(4))).status, 'a sign-up while NATS is down').to.equal(503);

    const text = await scrapeOnceEveryFamilyHasSamples(`${web.url}/metrics`, 'the web\'s /metrics');

    expect(text).to.match(/^prospect_saves_total\{handler="AsynchronousProspectSaveHandler"\} 3$/m);
    expect(text).to.match(/^signup_unavailable_responses_total\{cause="queue"\} 1$/m);
    expect(promtoolCheckMetrics(text)).to.deep.equal({ status: 0, output: '' });
  });
});
