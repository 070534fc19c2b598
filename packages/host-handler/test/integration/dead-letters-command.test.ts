import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { waitUntil } from '@signup/test-support/wait-until';
import { after, before, describe, it } from 'mocha';
import { RecordingLogger } from '@signup/adapters/memory';
import { connectToMessageQueue, encodeProspectSignedUpEvent, JetStreamDeadLetterStore, type NatsConnection } from '@signup/adapters/nats';
import { createKnex } from '@signup/adapters/sql';
import { PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import { freePort } from '@signup/test-support/free-port';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { loadHandlerSettings } from '../../src/composition/load-handler-settings.js';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

const BIN = fileURLToPath(new URL('../../../bin/signup-handler.js', import.meta.url));
const UNKNOWN_COUNTRY = 'ATL';
const EMAIL = 'ada.lovelace@example.com';

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `signup-handler <args>` to the end with only PATH and the given variables in its environment. */
function signupHandler(args: readonly string[], env: Record<string, string>, cwd: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `signup-handler save` as a process; resolves once it listens. */
async function startSaveHandler(env: Record<string, string>, cwd: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'save'], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signup-handler save did not start listening:\n${output}`)), 20_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('Listening on subject')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('close', (code) => reject(new Error(`signup-handler save exited with ${code}:\n${output}`)));
  });
  return child;
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGTERM');
  await closed;
}

function oneLine(text: string): void {
  expect(text.trimEnd().split('\n'), text).to.have.length(1);
  expect(text).not.to.match(/^\s+at /m);
}

describe('signup-handler deadletters, run as a process against a real nats-server', function () {
  this.timeout(120_000);

  let nats: NatsServer;
  let directory: string;
  let handler: ChildProcess | undefined;
  let client: NatsConnection;
  let store: JetStreamDeadLetterStore;
  let env: Record<string, string>;
  let handlerEnv: Record<string, string>;
  const unknownCountry = [newProspectSignedUpEvent({ countryCode: UNKNOWN_COUNTRY, countryName: 'Atlantis', emailAddress: EMAIL }), newProspectSignedUpEvent({ countryCode: UNKNOWN_COUNTRY, countryName: 'Atlantis', emailAddress: EMAIL })];
  const notJson = '\u001b[31m{ this is not JSON';
  let notJsonSequence = 0;

  const deadletters = (...args: string[]): Promise<Finished> => signupHandler(['deadletters', ...args], env, directory);

  before(async function () {
    requireNatsServer(this);
    nats = await NatsServer.start({ jetstream: true });
    directory = mkdtempSync(path.join(tmpdir(), 'signup-deadletters-it-'));
    env = { MessageQueue__Url: nats.url };
    handlerEnv = { ...env, ConnectionStrings__SignUpDb: `sqlite:${directory}/signup.db` };
    handler = await startSaveHandler(handlerEnv, directory);
    client = await connectToMessageQueue(loadHandlerSettings({ cwd: directory, env }).messageQueue, new RecordingLogger());
    store = new JetStreamDeadLetterStore(client);
    // Poison for the running save handler: not JSON, and well-formed events whose country is not in the reference data,
    // published with their correlation id as Nats-Msg-Id, as the web publishes.
    await client.jetstream().publish(PROSPECT_SIGNED_UP_SUBJECT, new TextEncoder().encode(notJson));
    for (const poison of unknownCountry) {
      await client.jetstream().publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(poison), { msgID: poison.correlationId });
    }
    await waitUntil(async () => (await store.count()) === 3, { description: 'three dead letters' });
    notJsonSequence = (await store.list({ reason: /not JSON/ }))[0]!.sequence;
  });

  after(async () => {
    await stopProcess(handler);
    await client?.close();
    await nats?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('lists the dead letters as a table of sequence, time, handler, size and reason', async () => {
    const result = await deadletters('list');

    expect(result.code, result.stderr).to.equal(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).to.match(/^SEQ\s+STORED AT\s+HANDLER\s+BYTES\s+REASON$/);
    expect(lines.slice(1, -1)).to.have.length(3);
    expect(lines.filter((line) => /^\s*\d+\s+\d{4}-\d{2}-\d{2}T\S+Z\s+save-handler\s+\d+\s+countryCode: /.test(line))).to.have.length(2);
    expect(lines.filter((line) => /\s+save-handler\s+\d+\s+Cannot decode ProspectSignedUpEvent: the message is not JSON/.test(line)))
      .to.have.length(1);
    expect(lines.at(-1)).to.equal('3 dead letter(s)');
    expect(result.stderr).to.equal('');
  });

  it('lists the dead letters whose reason matches as one JSON document', async () => {
    const result = await deadletters('list', '--reason', 'COUNTRY', '--json');

    expect(result.code, result.stderr).to.equal(0);
    const document = JSON.parse(result.stdout) as { count: number; deadLetters: { correlationId: string; handler: string; size: number }[] };
    expect(document.count).to.equal(2);
    expect(document.deadLetters.map((letter) => letter.correlationId)).to.have.members(unknownCountry.map((poison) => poison.correlationId));
    expect(document.deadLetters.map((letter) => letter.handler)).to.deep.equal(['save-handler', 'save-handler']);
    expect(document.deadLetters[0]!.size).to.equal(encodeProspectSignedUpEvent(unknownCountry[0]!).length);
  });

  it('shows one dead letter with its headers, emails masked unless --reveal, escape sequences made visible', async () => {
    const [letter] = await store.list({ reason: /country/ });

    const masked = await deadletters('show', String(letter!.sequence));
    const revealed = await deadletters('show', String(letter!.sequence), '--reveal');
    const poison = await deadletters('show', String(notJsonSequence));

    expect(masked.code, masked.stderr).to.equal(0);
    expect(masked.stdout).to.include(`Dead letter #${letter!.sequence} in SIGNUP_DEADLETTER`)
      .and.include('SignUp-Handler: save-handler').and.include(`SignUp-Original-Subject: ${PROSPECT_SIGNED_UP_SUBJECT}`)
      .and.include('"EmailAddress": "a***@example.com"').and.not.include(EMAIL);
    expect(revealed.stdout).to.include(EMAIL);
    expect(poison.stdout).to.include('\\u001b[31m{ this is not JSON').and.not.include('\u001b');
  });

  it('answers a missing dead letter with one line and exit status 1', async () => {
    const result = await deadletters('show', '9999');

    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal('signup-handler deadletters: No dead letter #9999 in SIGNUP_DEADLETTER.\n');
    expect(result.stdout).to.equal('');
  });

  it('replays the dead letters whose cause was fixed to their subject, within the duplicate window, and deletes them', async () => {
    await stopProcess(handler);
    const knex = createKnex(`sqlite:${directory}/signup.db`);
    try {
      await knex('Countries').insert({ CountryCode: UNKNOWN_COUNTRY, CountryName: 'Atlantis' });
      // The handler loads reference data once at start, so it must restart to know the new country.
      handler = await startSaveHandler(handlerEnv, directory);

      const result = await deadletters('replay', '--reason', 'country');

      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout.match(/^Replayed #\d+ to events\.prospect\.signedup as #\d+; deleted #\d+$/gm)).to.have.length(2);
      expect(result.stdout).to.include('2 dead letter(s) replayed');
      const ids = unknownCountry.map((poison) => poison.correlationId);
      await waitUntil(async () => (await knex('Prospects').whereIn('EventId', ids).count<{ n: number }[]>({ n: '*' }))[0]!.n === 2,
        { description: 'both replayed prospects saved' });
      expect((await store.list()).map((letter) => letter.sequence)).to.deep.equal([notJsonSequence]);
    } finally {
      await knex.destroy();
    }
  });

  it('replays by sequence keeping the dead letter; a replay still poison is dead-lettered again', async () => {
    const result = await deadletters('replay', '--sequence', String(notJsonSequence), '--keep');

    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(new RegExp(`^Replayed #${notJsonSequence} to events\\.prospect\\.signedup as #\\d+; kept #${notJsonSequence}\\n1 dead letter\\(s\\) replayed\\n$`));
    await waitUntil(async () => (await store.count()) === 2, { description: 'the replay dead-lettered again' });
    const letters = await store.list();
    expect(letters.map((letter) => new TextDecoder().decode(letter.data))).to.deep.equal([notJson, notJson]);
  });

  it('refuses to replay when a named sequence is not there, and replays nothing', async () => {
    const result = await deadletters('replay', '--sequence', String(notJsonSequence), '9998');

    expect(result.code).to.equal(1);
    expect(result.stderr).to.equal('signup-handler deadletters: No dead letter #9998 in SIGNUP_DEADLETTER.\n');
    expect(await store.count()).to.equal(2);
  });

  it('purges only with --yes', async () => {
    const refused = await deadletters('purge');
    const purged = await deadletters('purge', '--yes');
    const listed = await deadletters('list');

    expect(refused.code).to.equal(2);
    oneLine(refused.stderr);
    expect(refused.stderr).to.match(/^purge deletes every dead letter and cannot be undone; add --yes to confirm\. Usage: signup-handler deadletters /);
    expect(purged.stdout).to.equal('Purged 2 dead letter(s)\n');
    expect(listed.stdout).to.equal('0 dead letter(s)\n');
  });

  it('answers bad arguments with one usage line and exit status 2', async () => {
    const result = await deadletters('replay', '--all', '--reason', 'x');

    expect(result.code).to.equal(2);
    oneLine(result.stderr);
    expect(result.stderr).to.match(/^replay takes only one of --sequence, --reason and --all\. Usage: signup-handler deadletters list/);
  });

  it('answers an unreachable NATS with one line and exit status 1', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const result = await signupHandler(['deadletters', 'list'], { MessageQueue__Url: url }, directory);

    expect(result.code).to.equal(1);
    oneLine(result.stderr);
    expect(result.stderr).to.include(`Cannot connect to the message queue at ${url}`);
  });

  it('stops at a missing MessageQueue:Url with one line naming the key and exit status 2', async () => {
    const result = await signupHandler(['deadletters', 'list'], {}, directory);

    expect(result.code).to.equal(2);
    oneLine(result.stderr);
    expect(result.stderr).to.match(/^MessageQueue:Url is not set/);
  });
});
