import { SignUpError } from '@signup/domain';

/** The one line printed for a command line the handler host does not understand. */
export const USAGE = 'Usage: signup-handler save | signup-handler deadletters list|show|replay|purge ...';

/** What the command line asked for; `deadletters` hands the words after it to its own parser. */
export type HandlerCommand =
  | { readonly command: 'save' }
  | { readonly command: 'help' }
  | { readonly command: 'deadletters'; readonly args: readonly string[] };

/** The command line is not one the handler host understands; the message is one line ending with the usage. */
export class UsageError extends SignUpError {
  constructor(message: string) {
    super('USAGE_INVALID', message);
  }
}

/**
 * Reads the handler host's command line (the arguments after the script name).
 *
 * @throws UsageError for no command, an unknown command or extra arguments.
 */
export function parseArguments(args: readonly string[]): HandlerCommand {
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command === undefined) throw new UsageError(USAGE);
  if (command === 'deadletters') return { command, args: rest };
  if (command !== 'save') throw new UsageError(`Unknown command "${command}". ${USAGE}`);
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest.join(' ')}". ${USAGE}`);
  return { command };
}
