import { SignUpError } from '@signup/domain';
import type { HandlerCommand } from './handler-command.js';

/** The command line is not one the handler host understands; the message is one line ending with the usage. */
export class UsageError extends SignUpError {
  constructor(message: string) {
    super('USAGE_INVALID', message);
  }
}

/** What the command line asked for. */
export type ParsedCommandLine =
  | { readonly kind: 'help' }
  | { readonly kind: 'command-help'; readonly command: HandlerCommand }
  | { readonly kind: 'command'; readonly command: HandlerCommand; readonly args: readonly string[] };

const HELP = new Set(['--help', '-h', 'help']);

/** The one usage line: `Usage: signup-handler save|index|...`. */
export function usageLine(commands: readonly HandlerCommand[]): string {
  return `Usage: signup-handler ${commands.map((command) => command.name).join('|')}`;
}

/** `signup-handler --help`: the usage and every command with its one-line summary. */
export function helpText(commands: readonly HandlerCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 2;
  return [
    'Usage: signup-handler <command> [arguments]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    'signup-handler <command> --help shows the arguments of a command.',
  ].join('\n');
}

/**
 * Reads the handler host's command line (the arguments after the script name): a
 * command of the table with its arguments, `--help`, or `<command> --help`.
 *
 * @throws UsageError for no command or an unknown one, in one line ending with the usage line.
 */
export function parseArguments(args: readonly string[], commands: readonly HandlerCommand[]): ParsedCommandLine {
  const [name, ...rest] = args;
  if (name !== undefined && HELP.has(name)) return { kind: 'help' };
  if (name === undefined) throw new UsageError(usageLine(commands));
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) throw new UsageError(`Unknown command "${name}". ${usageLine(commands)}`);
  if (rest.length === 1 && HELP.has(rest[0]!)) return { kind: 'command-help', command };
  return { kind: 'command', command, args: rest };
}

/**
 * For a command that takes no arguments.
 *
 * @throws UsageError naming the first unexpected argument, ending with the command's usage.
 */
export function expectNoArguments(args: readonly string[], usage: string): void {
  if (args.length > 0) throw new UsageError(`Unexpected argument "${args.join(' ')}". ${usage}`);
}
