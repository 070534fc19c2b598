import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it, type Context } from 'mocha';
import { connect, type Msg, type NatsConnection } from 'nats';
import { DEAD_LETTER_HANDLER_HEADER, DEAD_LETTER_REASON_HEADER, encodeProspectSignedUpEvent, ensureSignUpStream } from '@signup/adapters/nats';
import { type ProspectSignedUpEvent } from '@signup/domain';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import { freePort } from '@signup/test-support/free-port';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, requirePostgres } from '@signup/test-support/postgres';
import {
  INDEX_LISTENING_LINE, ProspectIndexTable, prospectEvent, startHandlerProcess, startIndexHandler, waitUntil, type HostProcess,
} from '../../src/index.js';

/** A store the index handler writes to: its connection string and how to drop it. */
interface TestStore {
  readonly url: string;
  drop(): Promise<void>;
}

const STORES: { readonly name: string; readonly open: (ctx: Context) => Promise<TestStore> }[] = [
  {
    name: 'PostgreSQL',
    open: async (ctx) => {
      await requirePostgres(ctx);
      return createTestDatabase();
    },
  },
  {
    name: 'SQLite',
    open: () => {
      const directory = mkdtempSync(path.join(tmpdir(), 'signup-index-'));
      return Promise.resolve({ url: `sqlite:${directory}/signup.db`, drop: () => Promise.resolve(rmSync(directory, { recursive: true, force: true })) });
    },
  },
];

// Sign-ups spread over three countries and two roles, so the totals per chart differ.
const COUNTRIES = ['GBR', 'GBR', 'GBR', 'NOR', 'NOR', 'PT'] as const;
const ROLES = ['EN', 'AC', 'EN'] as const;
const HISTORY = 60;

function historyEvent(i: number): ProspectSignedUpEvent {
  return prospectEvent(i, { countryCode: COUNTRIES[i % COUNTRIES.length], roleCode: ROLES[i % ROLES.length] });
}

function expectedCounts<K extends string>(codes: readonly K[], count: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < count; i += 1) counts[codes[i % codes.length]!] = (counts[codes[i % codes.length]!] ?? 0) + 1;
  return counts;
}

for (const { name, open } of STORES) {
  describe(`signup-handler index as a process, into the SQL read model on ${name}`, function () {
    this.timeout(120_000);

    let nats: NatsServer;
    let store: TestStore;
    let client: NatsConnection;
    let table: ProspectIndexTable;
    let handler: HostProcess;
    let metricsPort: number;
    const history: ProspectSignedUpEvent[] = Array.from({ length: HISTORY }, (_, i) => historyEvent(i));
    const env = (): Record<string, string> => ({
      MessageQueue__Url: nats.url,
      ConnectionStrings__SignUpDb: store.url,
      Metrics__Server__Enabled: 'true',
      Metrics__Server__Port: String(metricsPort),
    });

    async function publish(events: readonly ProspectSignedUpEvent[]): Promise<void> {
      const js = client.jetstream();
      for (const event of events) await js.publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(event), { msgID: event.correlationId });
    }

    async function countsOf(): Promise<{ total: number; countries: Record<string, number>; roles: Record<string, number> }> {
      const summary = await table.summary();
      return {
        total: summary.total,
        countries: Object.fromEntries(summary.byCountry.map((row) => [row.countryCode, row.count])),
        roles: Object.fromEntries(summary.byRole.map((row) => [row.roleCode, row.count])),
      };
    }

    before(async function () {
      requireNatsServer(this);
      store = await open(this);
      nats = await NatsServer.start({ jetstream: true });
      client = await connect({ servers: nats.url });
      metricsPort = await freePort();
      // The stream as the web creates it when it starts; the history is in it before the index handler exists.
      await ensureSignUpStream(client);
      await publish(history);
    });

    after(async () => {
      await handler?.stop();
      await table?.close();
      await client?.close();
      await nats?.stop();
      await store?.drop();
    });

    it('indexes every sign-up published before it started, the whole history, with the right totals per country and role', async () => {
      handler = await startIndexHandler(env());
      table = new ProspectIndexTable(store.url);

      await table.waitForCount(HISTORY);
      expect(await countsOf()).to.deep.equal({
        total: HISTORY,
        countries: expectedCounts(COUNTRIES, HISTORY),
        roles: expectedCounts(ROLES, HISTORY),
      });
      const ids = await table.eventIds();
      expect(new Set(ids)).to.deep.equal(new Set(history.map((event) => event.correlationId)));
    });

    it('logs the original\'s lines for each event and counts them on its metrics server', async () => {
      const [first] = history;
      await handler.waitForLines('Prospect indexed; event ID:', HISTORY);

      expect(handler.matching(INDEX_LISTENING_LINE)).to.have.length(1);
      expect(handler.matching(new RegExp(`Indexing prospect, signed up at: ${first!.signedUpAt.toISOString()}; event ID: ${first!.correlationId}$`))).to.have.length(1);
      expect(handler.matching(`Prospect indexed; event ID: ${first!.correlationId}`)).to.have.length(1);
      expect(handler.matching(/Dependencies: IProspectIndex=SqlProspectIndex/)).to.have.length(1);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).to.include(`message_handler_events_total{handler="index-handler",status="done"} ${HISTORY}`);
    });

    it('dead-letters a poison event with its reason, naming index-handler, and indexes the good one after it', async () => {
      const deadLetters: Msg[] = [];
      const subscription = client.subscribe(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, {
        callback: (error, message) => {
          if (error === null) deadLetters.push(message);
        },
      });
      await client.flush();
      const unknownRole = prospectEvent(500, { roleCode: 'ZZ' });
      const good = historyEvent(HISTORY);

      await publish([unknownRole, good]);
      await table.waitForCount(HISTORY + 1);
      await waitUntil(() => deadLetters.length >= 1, { timeoutMs: 30_000, description: 'the dead letter' });
      subscription.unsubscribe();

      const [letter] = deadLetters;
      expect(new TextDecoder().decode(letter!.data)).to.include(unknownRole.correlationId);
      expect(letter!.headers?.get(DEAD_LETTER_HANDLER_HEADER)).to.equal('index-handler');
      expect(letter!.headers?.get(DEAD_LETTER_REASON_HEADER)).to.match(/role/i);
      expect(await table.eventIds()).to.include(good.correlationId).and.not.include(unknownRole.correlationId);
      history.push(good);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).to.include('message_handler_events_total{handler="index-handler",status="rejected"} 1');
    });

    it('refuses --rebuild in one line while another instance is consuming, and leaves the store as it was', async () => {
      const rebuild = startHandlerProcess({ ...env(), Metrics__Server__Enabled: 'false' }, 'signup-handler index --rebuild', ['index', '--rebuild']);
      const exit = await rebuild.exited;

      expect(exit.code).to.equal(1);
      expect(rebuild.stderrLines).to.have.length(1);
      expect(rebuild.stderrLines[0]).to.match(/^signup-handler index could not start: Other instances of index-handler are running/);
      expect(await table.count()).to.equal(history.length);
    });

    it('exits 0 on SIGTERM', async () => {
      expect(await handler.stop()).to.deep.equal({ code: 0, signal: null });
      expect(handler.matching(/Closing .* failed/)).to.deep.equal([]);
    });

    it('--rebuild empties the store and indexes the stream again from its first event, giving the same totals', async () => {
      const before = await countsOf();
      // A row the stream does not hold: a rebuild that did not empty the store would keep it.
      const stray = randomUUID();
      await table.indexMany([{
        eventId: stray, fullName: 'Stray Row', companyName: '', emailAddress: 'stray@example.com',
        countryCode: 'GBR', countryName: 'United Kingdom', roleCode: 'EN', roleName: 'Engineer', signUpDate: new Date(),
      }]);
      expect(await table.count()).to.equal(history.length + 1);

      handler = await startIndexHandler({ ...env(), Metrics__Server__Enabled: 'false' }, 'signup-handler index --rebuild', { rebuild: true });
      await handler.waitForLines('Prospect indexed; event ID:', history.length);

      expect(handler.matching('Emptied the index; indexing from the first event in the stream')).to.have.length(1);
      expect(handler.matching(/Deleted consumer index-handler/)).to.have.length(1);
      await table.waitForCount(history.length);
      expect(await table.eventIds()).to.not.include(stray);
      expect(await countsOf()).to.deep.equal(before);
      expect(await handler.stop()).to.deep.equal({ code: 0, signal: null });
    });
  });
}
