import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordingLogger } from '@signup/adapters/memory';
import { connectToMessageQueue, createNatsMessaging, type NatsConnection } from '@signup/adapters/nats';
import { freePort } from '@signup/test-support/free-port';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';
import { waitUntil } from '@signup/test-support/wait-until';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

function outboxLines(outbox: string): { correlationId: string; to: string }[] {
  try {
    return readFileSync(outbox, 'utf8').trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { correlationId: string; to: string });
  } catch {
    return [];
  }
}

describe('the welcome handler run by the handler host, as a process', function () {
  this.timeout(60_000);

  let nats: NatsServer;
  let directory: string;
  let publisherConnection: NatsConnection;
  let child: ChildProcess;
  let output = '';
  let exited: Promise<number | null>;
  let monitoring = '';
  const earlier = newProspectSignedUpEvent({ emailAddress: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' });

  before(async function () {
    requireNatsServer(this);
    nats = await NatsServer.start({ jetstream: true });
    directory = mkdtempSync(path.join(tmpdir(), 'welcome-handler-it-'));
    publisherConnection = await connectToMessageQueue({ url: nats.url, mode: 'jetstream' }, new RecordingLogger());
    const { publisher } = await createNatsMessaging(publisherConnection, { mode: 'jetstream' }, new RecordingLogger());
    await publisher.publish(earlier);

    const port = await freePort();
    monitoring = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [MAIN], {
      cwd: directory,
      env: {
        PATH: process.env.PATH,
        MessageQueue__Url: nats.url,
        Metrics__Server__Enabled: 'true',
        Metrics__Server__Port: String(port),
        OUTBOX_PATH: path.join(directory, 'outbox.jsonl'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  });

  after(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    await publisherConnection?.close();
    await nats?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('starts from the beginning of the stream: it welcomes a prospect who signed up before it first ran', async () => {
    const outbox = path.join(directory, 'outbox.jsonl');
    const sent = await waitUntil(() => (outboxLines(outbox).length > 0 ? outboxLines(outbox) : undefined), { description: 'the welcome message' });

    expect(sent.map((message) => message.correlationId)).to.deep.equal([earlier.correlationId]);
    expect(output).to.include('[welcome-handler] Listening on subject: events.prospect.signedup, queue: welcome-handler');
    expect(output).to.include('Connecting to message queue url: nats://').and.not.include('Connecting to database');
  });

  it('is ready and counts what it handled on the host\'s metrics server', async () => {
    const ready = await waitUntil(async () => {
      const response = await fetch(`${monitoring}/health/ready`);
      return response.status === 200 ? (await response.json()) as { checks: Record<string, string> } : undefined;
    }, { description: 'readiness' });
    const metrics = await (await fetch(`${monitoring}/metrics`)).text();

    expect(ready.checks).to.deep.equal({ 'message-queue': 'ok', subscription: 'ok' });
    expect(metrics).to.include('message_handler_events_total{handler="welcome-handler",status="done"} 1');
  });

  it('stops gracefully on SIGTERM and exits 0', async () => {
    child.kill('SIGTERM');

    expect(await exited).to.equal(0);
    expect(output).to.include('Received SIGTERM; stopping').and.include('Stopped');
    expect(output).to.not.match(/ (WARN|ERROR) /);
  });
});
