import type { HandlerDefinition } from '../handlers/handler-definition.js';

/** Where a command writes and what it reads its configuration from; the process's own by default. */
export interface CommandIo {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Receives SIGTERM/SIGINT (and unhandled rejections) for a handler command. */
  readonly process?: Pick<NodeJS.Process, 'on'>;
}

/**
 * One entry of `signup-handler`'s command table. Adding a command is adding one
 * entry to `HANDLER_COMMANDS`: `--help` lists it and the command line dispatches to it.
 */
export interface HandlerCommand {
  /** The word on the command line: `save`. */
  readonly name: string;
  /** One line for `signup-handler --help`. */
  readonly summary: string;
  /** What `signup-handler <name> --help` prints: the command's arguments. */
  readonly usage: string;
  /**
   * Runs the command with the arguments after its name and resolves with the exit code:
   * 0 done (a handler: stopped cleanly), 1 failed, 2 a usage or configuration mistake.
   * A handler resolves only once it was stopped by SIGTERM/SIGINT.
   */
  readonly run: (args: readonly string[], io?: CommandIo) => Promise<number>;
  /**
   * The handler the command runs without arguments, for a command that runs one
   * (`handlerCommand`); the all-in-one runs it in its process when `Handlers:InProcess` names
   * the command. Absent for an operator command (`deadletters`).
   */
  readonly definition?: HandlerDefinition;
}

/** The exit codes of `signup-handler`. */
export const EXIT_CODES = Object.freeze({ ok: 0, failure: 1, usage: 2 });
