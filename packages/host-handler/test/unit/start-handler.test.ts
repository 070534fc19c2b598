import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import {
  DatabaseUnavailableError, IReferenceDataLoader, QueueUnavailableError, type IEventPublisher, type IEventSubscriber, type IHealthCheck,
  type IProspectEventHandler, type ISubscription,
} from '@signup/domain';
import { loadHandlerSettings } from '../../src/composition/load-handler-settings.js';
import type { HandlerHostAdapters } from '../../src/composition/handler-host-adapters.js';
import { startHandler } from '../../src/composition/start-handler.js';
import { saveHandlerDefinition } from '../../src/handlers/save-handler-definition.js';
import type { HandlerDefinition } from '../../src/handlers/handler-definition.js';
import { indexHandlerDefinition } from '../../src/handlers/index-handler-definition.js';

type Knex = ReturnType<HandlerHostAdapters['createKnex']>;
type Connection = Awaited<ReturnType<HandlerHostAdapters['connectToMessageQueue']>>;
type Messaging = Awaited<ReturnType<HandlerHostAdapters['createNatsMessaging']>>;

/** Fakes of everything the composition opens, recording what happened in order. */
function fakeAdapters(calls: string[], subscribed: IProspectEventHandler[]): HandlerHostAdapters {
  const check = (name: string): IHealthCheck => ({ name, check: () => Promise.resolve() });
  const subscription: ISubscription = {
    healthy: true,
    stop: () => {
      calls.push('subscription.stop');
      return Promise.resolve();
    },
  };
  const subscriber: IEventSubscriber = {
    subscribe: (handler) => {
      calls.push(`subscribe ${handler.name}`);
      subscribed.push(handler);
      return Promise.resolve(subscription);
    },
  };
  const publisher: IEventPublisher = { publish: () => Promise.resolve() };
  return {
    createConsumerLag: (_nc, options) => ({
      start: () => {
        calls.push(`lag.start ${options.consumer} every ${options.intervalMs} ms`);
      },
      stop: () => {
        calls.push('lag.stop');
        return Promise.resolve();
      },
    }),
    createMonitoringServer: () => ({
      start: () => {
        calls.push('metrics.start');
        return Promise.resolve(9464);
      },
      close: () => {
        calls.push('metrics.close');
        return Promise.resolve();
      },
    }),
    createKnex: () => {
      calls.push('knex.create');
      return {
        destroy: () => {
          calls.push('knex.destroy');
          return Promise.resolve();
        },
      } as unknown as Knex;
    },
    createDatabaseHealthCheck: () => ({
      name: 'database',
      check: () => {
        calls.push('database.check');
        return Promise.resolve();
      },
    }),
    migrateDatabase: () => {
      calls.push('migrate');
      return Promise.resolve();
    },
    connectToMessageQueue: () => {
      calls.push('nats.connect');
      return Promise.resolve({
        drain: () => {
          calls.push('nats.drain');
          return Promise.resolve();
        },
      } as unknown as Connection);
    },
    resetConsumer: (_nc, name) => {
      calls.push(`reset ${name}`);
      return Promise.resolve();
    },
    createNatsMessaging: () => {
      calls.push('nats.messaging');
      return Promise.resolve({ publisher, subscriber, healthCheck: check('message queue') } as Messaging);
    },
  };
}

describe('startHandler with the save handler', () => {
  let sandbox: sinon.SinonSandbox;
  let directory: string;
  let calls: string[];
  let subscribed: IProspectEventHandler[];
  let lines: string[];

  const settings = (env: Record<string, string> = {}): ReturnType<typeof loadHandlerSettings> => loadHandlerSettings({
    cwd: directory,
    env: {
      MessageQueue__Url: 'nats://signup:s3cret@nats.example:4222',
      ConnectionStrings__SignUpDb: 'postgres://signup:db-s3cret@db.example:5432/signup',
      Metrics__Server__Enabled: 'true',
      ...env,
    },
  });

  before(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'signup-handler-unit-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));
  beforeEach(() => {
    sandbox = sinon.createSandbox();
    calls = [];
    subscribed = [];
    lines = [];
  });
  afterEach(() => sandbox.restore());

  it('opens the metrics server, the database, NATS, samples the consumer backlog, then subscribes the save handler, logging the chosen implementations', async () => {
    const running = await startHandler(saveHandlerDefinition, settings(), { write: (line) => lines.push(line), adapters: fakeAdapters(calls, subscribed) });

    expect(calls).to.deep.equal([
      'metrics.start', 'knex.create', 'database.check', 'migrate', 'nats.connect', 'nats.messaging',
      'lag.start save-handler every 15000 ms', 'subscribe save-handler',
    ]);
    expect(running.monitoringPort).to.equal(9464);
    expect(lines.join('\n')).to.match(/INFO .*Dependencies: IProspectRepository=SqlProspectRepository, IReferenceDataLoader=DatabaseReferenceDataLoader$/m);
    expect(lines.join('\n')).to.include('Connecting to database: postgres://').and.not.include('db-s3cret');
    await running.stop();
  });

  it('handles one batch at a time on SQLite, whose one connection a second batch would only wait for', async () => {
    const onPostgres = fakeAdapters(calls, subscribed);
    const postgresMessaging = sandbox.spy(onPostgres, 'createNatsMessaging');
    await (await startHandler(saveHandlerDefinition, settings(), { write: () => undefined, adapters: onPostgres })).stop();
    const onSqlite = fakeAdapters(calls, subscribed);
    const sqliteMessaging = sandbox.spy(onSqlite, 'createNatsMessaging');
    await (await startHandler(saveHandlerDefinition, settings({ ConnectionStrings__SignUpDb: 'sqlite:./data/signup.db' }), { write: () => undefined, adapters: onSqlite })).stop();

    expect(postgresMessaging.firstCall.args[3]).to.deep.equal({ subscriber: {} });
    expect(sqliteMessaging.firstCall.args[3]).to.deep.equal({ subscriber: { concurrentBatches: 1 } });
  });

  it('subscribes the save handler wrapped so its outcomes are counted', async () => {
    const running = await startHandler(saveHandlerDefinition, settings(), { write: () => undefined, adapters: fakeAdapters(calls, subscribed) });

    expect(subscribed).to.have.length(1);
    expect(subscribed[0]!.constructor.name).to.equal('CountingEventHandler');
    expect(subscribed[0]!.name).to.equal('save-handler');
    await running.stop();
  });

  it('does not migrate when Database:Migrate is false, and starts no metrics server when it is disabled', async () => {
    const running = await startHandler(saveHandlerDefinition,
      settings({ Database__Migrate: 'false', Metrics__Server__Enabled: 'false' }),
      { write: () => undefined, adapters: fakeAdapters(calls, subscribed) },
    );

    expect(calls).to.not.include('migrate');
    expect(calls).to.not.include('metrics.start');
    expect(calls.some((call) => call.startsWith('lag.start'))).to.equal(false);
    expect(running.monitoringPort).to.equal(undefined);
    await running.stop();
  });

  describe('stop', () => {
    it('stops the subscription, stops sampling the backlog, drains NATS, destroys the pool and closes the metrics server, in that order', async () => {
      const running = await startHandler(saveHandlerDefinition, settings(), { write: () => undefined, adapters: fakeAdapters(calls, subscribed) });
      calls.length = 0;

      expect(await running.stop()).to.equal(true);
      expect(calls).to.deep.equal(['subscription.stop', 'lag.stop', 'nats.drain', 'knex.destroy', 'metrics.close']);
    });

    it('runs once when called again (a second signal)', async () => {
      const running = await startHandler(saveHandlerDefinition, settings(), { write: () => undefined, adapters: fakeAdapters(calls, subscribed) });
      calls.length = 0;

      await Promise.all([running.stop(), running.stop()]);
      expect(calls.filter((call) => call === 'subscription.stop')).to.have.length(1);
    });

    it('still closes the rest when draining NATS fails, and reports it', async () => {
      const adapters = fakeAdapters(calls, subscribed);
      const failingDrain: HandlerHostAdapters = {
        ...adapters,
        connectToMessageQueue: () => Promise.resolve({ drain: () => Promise.reject(new Error('connection closed')) } as unknown as Connection),
      };
      const running = await startHandler(saveHandlerDefinition, settings(), { write: (line) => lines.push(line), adapters: failingDrain });
      calls.length = 0;

      expect(await running.stop()).to.equal(false);
      expect(calls).to.deep.equal(['subscription.stop', 'lag.stop', 'knex.destroy', 'metrics.close']);
      expect(lines.some((line) => line.includes('Closing message queue failed'))).to.equal(true);
    });
  });

  describe('start-up failures', () => {
    it('closes the database and the metrics server and rethrows when NATS is unreachable', async () => {
      const adapters = fakeAdapters(calls, subscribed);
      const unreachable = new QueueUnavailableError('Cannot connect to the message queue at nats://***:***@nats.example:4222');
      const failing: HandlerHostAdapters = { ...adapters, connectToMessageQueue: sandbox.stub().rejects(unreachable) };

      let thrown: unknown;
      try {
        await startHandler(saveHandlerDefinition, settings(), { write: () => undefined, adapters: failing });
      } catch (error) {
        thrown = error;
      }

      expect(thrown).to.equal(unreachable);
      expect(calls).to.deep.equal(['metrics.start', 'knex.create', 'database.check', 'migrate', 'knex.destroy', 'metrics.close']);
    });

    it('does not connect to NATS when the database is unreachable', async () => {
      const adapters = fakeAdapters(calls, subscribed);
      const down = new DatabaseUnavailableError('The database at postgres://***@db.example:5432/signup did not answer');
      const failing: HandlerHostAdapters = {
        ...adapters,
        createDatabaseHealthCheck: () => ({ name: 'database', check: () => Promise.reject(down) }),
      };

      let thrown: unknown;
      try {
        await startHandler(saveHandlerDefinition, settings(), { write: () => undefined, adapters: failing });
      } catch (error) {
        thrown = error;
      }

      expect(thrown).to.equal(down);
      expect(calls).to.not.include('nats.connect');
      expect(calls.slice(-2)).to.deep.equal(['knex.destroy', 'metrics.close']);
    });

    it('throws a ConfigurationError for an unknown implementation before opening anything', async () => {
      let thrown: unknown;
      try {
        await startHandler(saveHandlerDefinition, settings({ Dependencies__IReferenceDataLoader: 'Fast' }), { write: () => undefined, adapters: fakeAdapters(calls, subscribed) });
      } catch (error) {
        thrown = error;
      }

      expect(thrown).to.have.property('code', 'CONFIGURATION_INVALID');
      expect(calls).to.deep.equal([]);
    });
  });
});

describe('startHandler', () => {
  let directory: string;
  let calls: string[];
  let subscribed: IProspectEventHandler[];

  const settings = (env: Record<string, string> = {}): ReturnType<typeof loadHandlerSettings> => loadHandlerSettings({
    cwd: directory,
    env: { MessageQueue__Url: 'nats://127.0.0.1:4222', ConnectionStrings__SignUpDb: 'postgres://db.example:5432/signup', ...env },
  });
  const quietHandler = (name: string): IProspectEventHandler => ({ name, handle: (events) => Promise.resolve(events.map(() => ({ status: 'done' as const }))) });

  before(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'signup-handler-unit-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));
  beforeEach(() => {
    calls = [];
    subscribed = [];
  });

  it('opens no database for a handler whose ports need none, and subscribes it under its own name', async () => {
    const lines: string[] = [];
    const definition: HandlerDefinition = { name: 'welcome-handler', ports: [], createHandler: () => quietHandler('welcome-handler') };

    const running = await startHandler(definition, settings(), { write: (line) => lines.push(line), adapters: fakeAdapters(calls, subscribed) });

    expect(calls).to.deep.equal(['nats.connect', 'nats.messaging', 'subscribe welcome-handler']);
    expect(subscribed[0]!.name).to.equal('welcome-handler');
    expect(lines.join('\n')).to.not.include('Connecting to database').and.not.include('Dependencies:');
    expect(lines.every((line) => line.includes('[welcome-handler]'))).to.equal(true);
    await running.stop();
  });

  it('opens no database for the save handler when the repository and reference data need none, warning about the in-memory one', async () => {
    const lines: string[] = [];
    const running = await startHandler(saveHandlerDefinition,
      settings({ Dependencies__IProspectRepository: 'InMemoryProspectRepository', Dependencies__IReferenceDataLoader: 'ApiReferenceDataLoader', ReferenceDataApi__Url: 'http://reference-data/api' }),
      { write: (line) => lines.push(line), adapters: fakeAdapters(calls, subscribed) },
    );

    expect(calls).to.deep.equal(['nats.connect', 'nats.messaging', 'subscribe save-handler']);
    expect(lines.filter((line) => / WARN /.test(line)).join('\n')).to.include('InMemoryProspectRepository keeps prospects in this process only');
    await running.stop();
  });

  it('runs the start-up hook with the container built, before subscribing', async () => {
    const definition: HandlerDefinition = {
      name: 'index-handler',
      ports: ['IReferenceDataLoader'],
      createHandler: () => quietHandler('index-handler'),
      beforeSubscribe: ({ get }) => {
        calls.push(`beforeSubscribe ${get<{ load: unknown }>(IReferenceDataLoader).constructor.name}`);
        return Promise.resolve();
      },
    };

    const running = await startHandler(definition, settings(), { write: () => undefined, adapters: fakeAdapters(calls, subscribed) });

    expect(calls.slice(-2)).to.deep.equal(['beforeSubscribe CachingReferenceDataLoader', 'subscribe index-handler']);
    await running.stop();
  });

  it('passes the definition\'s tuning to the subscriber', async () => {
    const adapters = fakeAdapters(calls, subscribed);
    const messaging = sinon.spy(adapters, 'createNatsMessaging');
    const definition: HandlerDefinition = {
      name: 'slow-handler', ports: [], createHandler: () => quietHandler('slow-handler'), tuning: () => ({ batchSize: 10 }),
    };

    await (await startHandler(definition, settings(), { write: () => undefined, adapters })).stop();

    expect(messaging.firstCall.args[3]).to.deep.equal({ subscriber: { batchSize: 10 } });
  });

  it('refuses a definition whose handler has another name, and closes what it opened', async () => {
    const definition: HandlerDefinition = { name: 'welcome-handler', ports: [], createHandler: () => quietHandler('save-handler') };

    let thrown: unknown;
    try {
      await startHandler(definition, settings(), { write: () => undefined, adapters: fakeAdapters(calls, subscribed) });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).to.be.instanceOf(TypeError).with.property('message', 'The handler "welcome-handler" created a handler named "save-handler"');
    expect(calls).to.not.include('subscribe save-handler');
    expect(calls.at(-1)).to.equal('nats.drain');
  });
});

describe('startHandler with the index handler', () => {
  let calls: string[];
  let subscribed: IProspectEventHandler[];
  let lines: string[];
  const directory = mkdtempSync(path.join(tmpdir(), 'signup-handler-unit-'));
  const settings = (env: Record<string, string> = {}): ReturnType<typeof loadHandlerSettings> => loadHandlerSettings({
    cwd: directory,
    env: { MessageQueue__Url: 'nats://127.0.0.1:4222', ConnectionStrings__SignUpDb: 'postgres://db.example:5432/signup', ...env },
  });

  after(() => rmSync(directory, { recursive: true, force: true }));
  beforeEach(() => {
    [calls, subscribed, lines] = [[], [], []];
  });

  it('keeps the read model in the sign-up database when ConnectionStrings:AnalyticsDb is unset, opening it once', async () => {
    const running = await startHandler(indexHandlerDefinition({ rebuild: false }), settings(), { write: (line) => lines.push(line), adapters: fakeAdapters(calls, subscribed) });

    expect(calls).to.deep.equal(['knex.create', 'database.check', 'migrate', 'nats.connect', 'nats.messaging', 'subscribe index-handler']);
    expect(lines.join('\n')).to.match(/Dependencies: IProspectIndex=SqlProspectIndex, IReferenceDataLoader=DatabaseReferenceDataLoader$/m);
    calls.length = 0;
    await running.stop();
    expect(calls).to.deep.equal(['subscription.stop', 'nats.drain', 'knex.destroy']);
  });

  it('opens, checks and migrates a separate analytics database, logs it masked, and closes it at stop', async () => {
    const running = await startHandler(
      indexHandlerDefinition({ rebuild: false }),
      settings({ ConnectionStrings__AnalyticsDb: 'postgres://analyst:an-s3cret@analytics.example:5432/analytics' }),
      { write: (line) => lines.push(line), adapters: fakeAdapters(calls, subscribed) },
    );

    expect(calls).to.deep.equal([
      'knex.create', 'database.check', 'migrate', 'knex.create', 'database.check', 'migrate', 'nats.connect', 'nats.messaging', 'subscribe index-handler',
    ]);
    expect(lines.join('\n')).to.include('Connecting to analytics database: postgres://').and.not.include('an-s3cret');
    calls.length = 0;
    await running.stop();
    expect(calls).to.deep.equal(['subscription.stop', 'nats.drain', 'knex.destroy', 'knex.destroy']);
  });

  it('handles one batch at a time when the read model is on SQLite', async () => {
    const adapters = fakeAdapters(calls, subscribed);
    const messaging = sinon.spy(adapters, 'createNatsMessaging');

    await (await startHandler(indexHandlerDefinition({ rebuild: false }), settings({ ConnectionStrings__AnalyticsDb: 'sqlite:./data/analytics.db' }), {
      write: () => undefined, adapters,
    })).stop();

    expect(messaging.firstCall.args[3]).to.deep.equal({ subscriber: { concurrentBatches: 1 } });
  });

  it('refuses ElasticsearchProspectIndex without Elasticsearch:Url in one line, before opening anything', async () => {
    let thrown: unknown;
    try {
      await startHandler(indexHandlerDefinition({ rebuild: false }), settings({ Dependencies__IProspectIndex: 'ElasticsearchProspectIndex' }), {
        write: () => undefined, adapters: fakeAdapters(calls, subscribed),
      });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).to.have.property('key', 'Elasticsearch:Url');
    expect((thrown as Error).message).to.match(/^Elasticsearch:Url is not set but Dependencies:IProspectIndex is ElasticsearchProspectIndex;[^\n]*$/);
    expect(calls).to.deep.equal([]);
  });

  it('connects to Elasticsearch with the credentials masked, and no analytics database', async () => {
    const running = await startHandler(
      indexHandlerDefinition({ rebuild: false }),
      settings({ Dependencies__IProspectIndex: 'ElasticsearchProspectIndex', Elasticsearch__Url: 'http://elastic:es-s3cret@es.example:9200' }),
      { write: (line) => lines.push(line), adapters: fakeAdapters(calls, subscribed) },
    );

    expect(calls.filter((call) => call === 'knex.create')).to.have.length(1);
    expect(lines.join('\n')).to.match(/Connecting to Elasticsearch: http:\/\/\*\*\*:\*\*\*@es\.example:9200\/? \(index prospects\)/).and.not.include('es-s3cret');
    await running.stop();
  });

  it('with --rebuild replays from the first event in JetStream before subscribing', async () => {
    const definition = indexHandlerDefinition({ rebuild: true });
    const replayOnly: HandlerDefinition = { ...definition, beforeSubscribe: ({ replayFromStart }) => replayFromStart() };

    const running = await startHandler(replayOnly, settings(), { write: () => undefined, adapters: fakeAdapters(calls, subscribed) });

    expect(calls.slice(-2)).to.deep.equal(['reset index-handler', 'subscribe index-handler']);
    await running.stop();
  });

  it('refuses to replay in core mode, which keeps no history, naming MessageQueue:Mode', async () => {
    const replayOnly: HandlerDefinition = { ...indexHandlerDefinition({ rebuild: true }), beforeSubscribe: ({ replayFromStart }) => replayFromStart() };

    let thrown: unknown;
    try {
      await startHandler(replayOnly, settings({ MessageQueue__Mode: 'core' }), { write: () => undefined, adapters: fakeAdapters(calls, subscribed) });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).to.have.property('key', 'MessageQueue:Mode');
    expect(calls).to.not.include('reset index-handler').and.not.include('subscribe index-handler');
  });
});

describe('loadHandlerSettings', () => {
  it('requires MessageQueue:Url, saying the handler needs NATS, in one line', () => {
    expect(() => loadHandlerSettings({ cwd: tmpdir(), env: {} }))
      .to.throw(/^MessageQueue:Url is not set; the message handler needs NATS: set it to nats:\/\/host:4222[^\n]*$/)
      .with.property('key', 'MessageQueue:Url');
  });

  it('takes its defaults from the package\'s appsettings.json, overridden by the environment', () => {
    const defaults = loadHandlerSettings({ cwd: tmpdir(), env: { MessageQueue__Url: 'nats://127.0.0.1:4222' } });
    const overridden = loadHandlerSettings({
      cwd: tmpdir(),
      env: { 'MessageQueue:Url': 'nats://127.0.0.1:4222', 'Metrics:Server:Enabled': 'true', Metrics__Server__Port: '9500', MessageQueue__Mode: 'core' },
    });

    expect(defaults.messageQueue.mode).to.equal('jetstream');
    expect(defaults.metricsServer).to.deep.equal({ enabled: false, port: 9464, consumerLagIntervalMs: 15_000 });
    expect(defaults.database.migrate).to.equal(true);
    expect(overridden.metricsServer).to.deep.equal({ enabled: true, port: 9500, consumerLagIntervalMs: 15_000 });
    expect(overridden.messageQueue.mode).to.equal('core');
  });
});
