import { DEAD_LETTERS_SUMMARY, DEAD_LETTERS_USAGE, runDeadLettersCommand } from '../commands/dead-letters-command.js';
import { indexHandlerDefinition } from '../handlers/index-handler-definition.js';
import { saveHandlerDefinition } from '../handlers/save-handler-definition.js';
import { EXIT_CODES, type CommandIo, type HandlerCommand } from './handler-command.js';
import { expectNoArguments, helpText, parseArguments, UsageError } from './parse-arguments.js';
import { handlerCommand } from './run-handler.js';

const SAVE_USAGE = 'Usage: signup-handler save';
const INDEX_USAGE = [
  'Usage: signup-handler index [--rebuild]',
  '',
  '  --rebuild  empty the analytics store and index every event in the stream again, from the first;',
  '             stop every other index-handler instance first (it refuses while one is consuming)',
].join('\n');

/** The commands of `signup-handler`, in the order `--help` lists them. */
export const HANDLER_COMMANDS: readonly HandlerCommand[] = [
  handlerCommand({
    name: 'save',
    summary: 'Subscribes as save-handler and saves each signed-up prospect to the database.',
    usage: SAVE_USAGE,
    definitionFor: (args) => {
      expectNoArguments(args, SAVE_USAGE);
      return saveHandlerDefinition;
    },
  }),
  handlerCommand({
    name: 'index',
    summary: 'Subscribes as index-handler and writes each signed-up prospect to the analytics store.',
    usage: INDEX_USAGE,
    definitionFor: (args) => {
      if (args.length === 1 && args[0] === '--rebuild') return indexHandlerDefinition({ rebuild: true });
      expectNoArguments(args, INDEX_USAGE.split('\n')[0]!);
      return indexHandlerDefinition({ rebuild: false });
    },
  }),
  { name: 'deadletters', summary: DEAD_LETTERS_SUMMARY, usage: DEAD_LETTERS_USAGE, run: runDeadLettersCommand },
];

/**
 * Runs `signup-handler` with the arguments after the script name and resolves with its
 * exit code: `--help` prints every command with its summary; `<command> --help` the
 * command's usage; a command runs; no command or an unknown one prints one usage line
 * to stderr and answers 2.
 */
export async function runCommandLine(args: readonly string[], io: CommandIo = {}, commands = HANDLER_COMMANDS): Promise<number> {
  const stdout = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments(args, commands);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr(`${error.message}\n`);
    return EXIT_CODES.usage;
  }
  if (parsed.kind === 'help') stdout(`${helpText(commands)}\n`);
  if (parsed.kind === 'command-help') stdout(`${parsed.command.usage}\n`);
  return parsed.kind === 'command' ? parsed.command.run(parsed.args, io) : EXIT_CODES.ok;
}
