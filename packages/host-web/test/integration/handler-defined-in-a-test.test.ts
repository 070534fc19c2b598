import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ContainerModule } from 'inversify';
import { after, before, describe, it } from 'mocha';
import request from 'supertest';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { RecordingLogger } from '@signup/adapters/memory';
import { connectToMessageQueue, createNatsMessaging, type NatsConnection } from '@signup/adapters/nats';
import type { EventOutcome, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';
import { expectNoArguments, HANDLER_COMMANDS, handlerCommand, runCommandLine, type HandlerCommand, type HandlerDefinition } from '@signup/host-handler';
import { waitUntil } from '@signup/test-support/wait-until';
import { freePort } from '@signup/test-support/free-port';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { WebHost } from '../../src/composition/web-host.js';
import { SIGN_UP_FORM } from '../support/sign-up-form.js';

// Everything of the handler is here: its port and token, its in-memory store, its use case,
// its definition and its command. No file of the hosts names it.

/** The handler's own port: where it notes whom it greeted. */
interface IGreetingLog {
  note(emailAddress: string): Promise<void>;
}
const IGreetingLog: unique symbol = Symbol('test.IGreetingLog');

class InMemoryGreetingLog implements IGreetingLog {
  readonly greeted: string[] = [];

  note(emailAddress: string): Promise<void> {
    this.greeted.push(emailAddress);
    return Promise.resolve();
  }
}

class GreetProspects implements IProspectEventHandler {
  readonly name = 'greet-handler';

  constructor(private readonly log: IGreetingLog) {}

  async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    for (const event of events) await this.log.note(event.prospect.emailAddress);
    return events.map(() => ({ status: 'done' }));
  }
}

function greetDefinition(log: InMemoryGreetingLog): HandlerDefinition {
  return {
    name: 'greet-handler',
    ports: [],
    modules: [new ContainerModule(({ bind }) => {
      bind(IGreetingLog).toConstantValue(log);
      bind(GreetProspects).toResolvedValue((greetings: IGreetingLog) => new GreetProspects(greetings), [IGreetingLog]).inSingletonScope();
    })],
    createHandler: ({ get }) => get(GreetProspects),
    healthChecks: () => [{ name: 'greeting-log', check: () => Promise.resolve() }],
  };
}

function greetCommand(log: InMemoryGreetingLog): HandlerCommand {
  const usage = 'Usage: signup-handler greet';
  return handlerCommand({
    name: 'greet',
    summary: 'Subscribes as greet-handler and notes whom to greet.',
    usage,
    definitionFor: (args) => {
      expectNoArguments(args, usage);
      return greetDefinition(log);
    },
  });
}

const FORM = SIGN_UP_FORM;

describe('a handler defined only in a test', function () {
  this.timeout(60_000);
  let folder: string;

  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'signup-test-handler-'));
  });

  after(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  describe('as a command of a test command table, against a real nats-server', () => {
    let nats: NatsServer;
    let publisherConnection: NatsConnection | undefined;

    before(async function () {
      requireNatsServer(this);
      nats = await NatsServer.start({ jetstream: true });
    });

    after(async () => {
      await publisherConnection?.close();
      await nats?.stop();
    });

    it('subscribes under its name, handles a published event into its own store, is ready with its own check, and stops on SIGTERM with 0', async () => {
      const log = new InMemoryGreetingLog();
      const signals = new EventEmitter();
      const lines: string[] = [];
      const port = await freePort();
      const env = { MessageQueue__Url: nats.url, Metrics__Server__Enabled: 'true', Metrics__Server__Port: String(port) };
      const exit = runCommandLine(['greet'], { cwd: folder, env, stdout: (text) => lines.push(text), stderr: (text) => lines.push(text), process: signals as unknown as NodeJS.Process },
        [greetCommand(log)]);

      const ready = await waitUntil(async () => {
        const answer = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
        return answer?.status === 200 ? (await answer.json()) as { checks: Record<string, string> } : undefined;
      }, { description: 'the command\'s /health/ready to answer 200' });
      expect(ready.checks).to.include({ 'greeting-log': 'ok', subscription: 'ok' });
      expect(lines.join('')).to.include('queue: greet-handler').and.not.include('Connecting to database');

      publisherConnection = await connectToMessageQueue({ ...readSignUpSettings(loadConfiguration({ cwd: folder, env })).messageQueue }, new RecordingLogger());
      const { publisher } = await createNatsMessaging(publisherConnection, { mode: 'jetstream' }, new RecordingLogger());
      await publisher.publish({
        correlationId: '5b0e7d1c-2a4f-4c3e-9d8b-7a6f5e4d3c2b',
        signedUpAt: new Date('2026-12-01T09:00:00Z'),
        prospect: {
          firstName: 'Ada', lastName: 'Lovelace', companyName: '', emailAddress: 'ada@example.com',
          country: { countryCode: 'GBR', countryName: 'United Kingdom' }, role: { roleCode: 'EN', roleName: 'Engineer' },
        },
      });
      await waitUntil(() => (log.greeted.includes('ada@example.com') ? true : undefined), { description: 'the command to note the published event' });

      signals.emit('SIGTERM', 'SIGTERM');
      expect(await exit).to.equal(0);
    });
  });

  describe('in the all-in-one, named by Handlers:InProcess', () => {
    let host: WebHost | undefined;
    const log = new InMemoryGreetingLog();

    before(async () => {
      const settings = readSignUpSettings(loadConfiguration({
        cwd: folder,
        env: { ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}`, Handlers__InProcess: 'save,greet' },
      }));
      host = await WebHost.create(settings, { logger: new RecordingLogger(), handlerCommands: [...HANDLER_COMMANDS, greetCommand(log)] });
    });

    after(async () => {
      await host?.stop();
    });

    it('runs in the web process over the in-process bus: a sign-up reaches its own store', async () => {
      await request(host!.app.callback()).post('/api/prospects').send(FORM).expect(202);
      await waitUntil(() => (log.greeted.includes(FORM.emailAddress) ? true : undefined), { description: 'the in-process handler to note the sign-up' });
    });

    it('is part of the web\'s readiness, with its subscription and its own check', async () => {
      const ready = await request(host!.app.callback()).get('/health/ready').expect(200);
      expect(JSON.stringify(ready.body)).to.include('greet-handler').and.include('greeting-log');
    });
  });
});
