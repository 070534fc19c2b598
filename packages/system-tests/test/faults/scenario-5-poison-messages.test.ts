import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { DeadLetter } from '@signup/adapters/nats';
import { createKnex } from '@signup/adapters/sql';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { requirePostgres } from '@signup/test-support/postgres';
import {
  FaultEnvironment, poisonMessages, scenarioLine, SignUpLedger, SignUpTraffic, UNKNOWN_COUNTRY_CODE, type PoisonMessage,
} from '../../src/faults/index.js';
import { HANDLER_MAIN, hostWorkDirectory, waitUntil, type HostProcess, type WebHost } from '../../src/index.js';

const TITLE = '5 (poison messages mixed into the stream: not JSON, wrong shape, unknown country, oversized)';
const ROUNDS = 3;
const GOOD_SIGN_UPS = 600;
const run = promisify(execFile);

/** True when the dead letter holds this message: all of it, or its first bytes when it had to be cut. */
function holds(letter: DeadLetter, message: PoisonMessage): boolean {
  const whole = Buffer.from(message.data);
  if (letter.truncatedFrom === undefined) return whole.equals(Buffer.from(letter.data));
  return letter.truncatedFrom === whole.length && whole.subarray(0, letter.data.length).equals(Buffer.from(letter.data));
}

describe(`scenario ${TITLE}`, function () {
  let environment: FaultEnvironment;
  let web: WebHost;
  let handler: HostProcess;
  const ledger = new SignUpLedger();
  const poison: PoisonMessage[] = [];
  let letters: DeadLetter[] = [];

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    environment = await FaultEnvironment.start();
    web = await environment.startAsynchronousWeb();
    handler = await environment.startHandler('signup-handler');
  });

  after(async () => {
    await environment?.close();
  });

  it('dead-letters each poison message with its reason and saves the good sign-ups around them once', async () => {
    const client = await environment.client();
    const js = client.jetstream();
    // The biggest message the server takes, less room for the publish's own Nats-Msg-Id header.
    const oversizedBytes = client.info!.max_payload - 128;
    const deadLetterSubjectCopies: Uint8Array[] = [];
    const subscription = client.subscribe(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, {
      callback: (error, message) => {
        if (error === null) deadLetterSubjectCopies.push(message.data);
      },
    });
    const traffic = new SignUpTraffic(web.url, ledger);
    const burst = traffic.burst({ count: GOOD_SIGN_UPS, concurrency: 20, ratePerSecond: 200 });
    for (let round = 0; round < ROUNDS; round += 1) {
      await waitUntil(() => ledger.attempts.length >= ((round + 1) * GOOD_SIGN_UPS) / (ROUNDS + 1), { timeoutMs: 60_000, intervalMs: 10 });
      for (const message of poisonMessages(round, oversizedBytes)) {
        await js.publish(PROSPECT_SIGNED_UP_SUBJECT, message.data, { msgID: message.messageId });
        poison.push(message);
      }
    }
    await burst;

    const store = await environment.deadLetters();
    await environment.audit.waitForAll(ledger.accepted, 60_000);
    await waitUntil(async () => (await store.count()) >= poison.length, {
      timeoutMs: 60_000, intervalMs: 250, description: `${poison.length} dead letters`,
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; handler warnings:\n${handler.matching(/WARN|ERROR/).slice(-5).join('\n')}`, { cause: error });
    });
    await environment.waitForQuiescence(60_000);
    subscription.unsubscribe();
    letters = await store.list();
    const report = await environment.audit.report(ledger.accepted);
    console.log(`      ${scenarioLine(TITLE, report, { poisonPublished: poison.length, copiesSeenOnTheSubject: deadLetterSubjectCopies.length })}`);

    for (const message of poison) {
      const matching = letters.filter((letter) => holds(letter, message));
      expect(matching, `one dead letter for the ${message.kind} message`).to.have.length(1);
      expect(matching[0]!.truncatedFrom !== undefined, `the ${message.kind} message is cut only when it cannot be copied whole`)
        .to.equal(message.kind === 'oversized');
      expect(matching[0]!.reason, `the reason for the ${message.kind} message`).to.match(message.reason);
      expect(matching[0]!.handler).to.equal('save-handler');
      expect(matching[0]!.subject).to.equal(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT);
    }
    expect(deadLetterSubjectCopies, 'each dead letter published once on the subject').to.have.length(poison.length);
    expect(ledger.unexpectedAttempts([202]), 'every good sign-up accepted').to.deep.equal([]);
    expect(report.accepted).to.equal(GOOD_SIGN_UPS);
    expect(report.missing, 'every good sign-up saved').to.deep.equal([]);
    expect(report.unexpected, 'no poison message saved').to.deep.equal([]);
    expect(report.saved).to.equal(report.accepted);
    expect(report.duplicates).to.equal(0);
    expect(report.deadLettered).to.equal(poison.length);
    expect(handler.running).to.equal(true);
  });

  it('replays, with signup-handler deadletters, the dead letters whose cause was fixed: each saved once, the rest stay', async function () {
    if (letters.length === 0) this.skip();
    const knex = createKnex(environment.databaseUrl());
    try {
      await knex('Countries').insert({ CountryCode: UNKNOWN_COUNTRY_CODE, CountryName: 'Atlantis' });
    } finally {
      await knex.destroy();
    }
    // The handler loads reference data once at start, so it must restart to know the new country.
    expect(await handler.stop()).to.deep.equal({ code: 0, signal: null });
    handler = await environment.startHandler('signup-handler (restarted)');
    const env = { PATH: process.env.PATH ?? '', MessageQueue__Url: environment.nats.url };
    const deadletters = (...args: string[]) => run(process.execPath, [HANDLER_MAIN, 'deadletters', ...args], { env, cwd: hostWorkDirectory() });
    const fixed = poison.filter((message) => message.kind === 'unknown country').map((message) => message.messageId);

    const oversized = poison.filter((message) => message.kind === 'oversized');

    const listed = await deadletters('list');
    const replayed = await deadletters('replay', '--reason', 'country');
    const again = await deadletters('replay', '--reason', 'country');
    // Still invalid, so dead-lettered again: the new dead letters show the whole original was replayed, not the cut copy.
    const replayedOversized = await deadletters('replay', '--reason', 'first name');
    await environment.audit.waitForAll(new Set([...ledger.accepted, ...fixed]), 60_000);
    const store = await environment.deadLetters();
    await waitUntil(async () => (await store.count()) >= poison.length - fixed.length, { timeoutMs: 60_000, intervalMs: 250 });
    await environment.waitForQuiescence(60_000);
    const remaining = await store.list();
    const report = await environment.audit.report(new Set([...ledger.accepted, ...fixed]));
    const deadAgain = remaining.filter((letter) => /first name/i.test(letter.reason));

    expect(listed.stdout).to.include(`${poison.length} dead letter(s)`);
    expect(listed.stdout).to.match(/ save-handler +\d+ +countryCode: Please choose a country/);
    expect(replayed.stdout).to.include(`${fixed.length} dead letter(s) replayed`);
    expect(again.stdout, 'a second replay finds nothing left to replay').to.include('0 dead letter(s) replayed');
    expect(remaining.map((letter) => letter.reason).filter((reason) => /country/i.test(reason)), 'the replayed ones are gone').to.deep.equal([]);
    expect(remaining).to.have.length(poison.length - fixed.length);
    expect(replayedOversized.stdout).to.include(`${oversized.length} dead letter(s) replayed`);
    expect(deadAgain.map((letter) => letter.truncatedFrom), 'the whole oversized messages were replayed')
      .to.deep.equal(oversized.map((message) => message.data.length));
    expect(deadAgain.every((letter) => oversized.some((message) => holds(letter, message)))).to.equal(true);
    expect(report.missing, 'the replayed sign-ups are saved').to.deep.equal([]);
    expect(report.unexpected).to.deep.equal([]);
    expect(report.saved).to.equal(GOOD_SIGN_UPS + fixed.length);
    expect(report.duplicates).to.equal(0);
  });
});
