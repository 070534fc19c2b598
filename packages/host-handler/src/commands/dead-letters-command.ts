import { describeError } from '@signup/adapters/hosting';
import { maskSecrets, ConsoleLogger } from '@signup/adapters/logging';
import { connectToMessageQueue, JetStreamDeadLetterStore, type NatsConnection } from '@signup/adapters/nats';
import { ConfigurationError } from '@signup/adapters/config';
import { UsageError } from '../cli/parse-arguments.js';
import { loadHandlerSettings } from '../composition/load-handler-settings.js';
import { DEAD_LETTERS_USAGE, parseDeadLettersArguments, type DeadLettersRequest } from './dead-letters-arguments.js';
import { formatDeadLetter, formatDeadLetterJson, formatDeadLetterTable, formatReplay, printable } from './dead-letters-format.js';

export { DEAD_LETTERS_USAGE } from './dead-letters-arguments.js';

/** The line `signup-handler --help` shows for this command. */
export const DEAD_LETTERS_SUMMARY = 'inspect, replay and purge the messages handlers gave up on (SIGNUP_DEADLETTER)';

/** Where the command writes, and what it reads its settings from; the process's own by default. */
export interface DeadLettersCommandIo {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const HELP = `${DEAD_LETTERS_USAGE}

  list [--reason RE] [--json]   one row per dead letter: sequence, time stored, handler, size in bytes, reason;
                                --reason keeps those whose reason matches RE (case-insensitive);
                                --json prints one JSON document instead
  show SEQ [--reveal]           headers and body of one dead letter; email addresses are masked unless --reveal
  replay (--sequence N... | --reason RE | --all) [--keep]
                                publish each selected dead letter again to its original subject, then delete it
                                (--keep leaves it in place)
  purge --yes                   delete every dead letter

Settings as for signup-handler save: MessageQueue:Url (MessageQueue__Url) is required. See docs/reliability.md.
Exit status: 0 done, 1 NATS unreachable or no such dead letter, 2 bad arguments or configuration.`;

/**
 * `signup-handler deadletters …`: the operator's commands on the dead-letter stream
 * (see docs/reliability.md). Reads the handler host's layered configuration for
 * `MessageQueue:*`, connects to NATS, runs one action and closes the connection.
 * Every failure is one line on stderr, never a stack trace.
 *
 * @returns the exit status: 0 done, 1 NATS unreachable or a dead letter not found or
 *   not replayable, 2 bad arguments or configuration.
 */
export async function runDeadLettersCommand(args: readonly string[], io: DeadLettersCommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const failLine = (line: string): void => stderr(`${printable(maskSecrets(line).replace(/\s*\n\s*/g, ' '))}\n`);

  let request: DeadLettersRequest;
  let nc: NatsConnection | undefined;
  try {
    request = parseDeadLettersArguments(args);
    if (request.action === 'help') {
      stdout(`${HELP}\n`);
      return EXIT_OK;
    }
    const settings = loadHandlerSettings({ cwd: io.cwd, env: io.env ?? process.env });
    const logger = new ConsoleLogger({ name: 'deadletters', level: 'warn', write: (line) => stderr(`${line}\n`) });
    nc = await connectToMessageQueue(settings.messageQueue, logger, { name: 'signup-handler-deadletters' });
    await perform(request, new JetStreamDeadLetterStore(nc), stdout);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigurationError) {
      failLine(error.message);
      return EXIT_USAGE;
    }
    failLine(`signup-handler deadletters: ${describeError(error)}`);
    return EXIT_FAILURE;
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

async function perform(request: Exclude<DeadLettersRequest, { action: 'help' }>, store: JetStreamDeadLetterStore, stdout: (text: string) => void): Promise<void> {
  switch (request.action) {
    case 'list': {
      const letters = await store.list(request.reason === undefined ? {} : { reason: request.reason });
      stdout(request.json ? formatDeadLetterJson(letters) : formatDeadLetterTable(letters));
      return;
    }
    case 'show':
      stdout(formatDeadLetter(await store.get(request.sequence), request.reveal));
      return;
    case 'replay': {
      let replayed = 0;
      for (const letter of await store.select(request.selection)) {
        stdout(formatReplay(await store.replay(letter, { keep: request.keep })));
        replayed += 1;
      }
      stdout(`${replayed} dead letter(s) replayed\n`);
      return;
    }
    case 'purge':
      stdout(`Purged ${await store.purge()} dead letter(s)\n`);
      return;
  }
}
