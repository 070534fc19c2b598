#!/usr/bin/env node
import 'reflect-metadata';
import { maskSecrets } from '@signup/adapters/logging';
import type { SignUpSettings } from '@signup/adapters/config';
import { ConfigurationError } from '@signup/domain';
import { parseArguments, USAGE, UsageError } from './cli/parse-arguments.js';
import { DEAD_LETTERS_SUMMARY, runDeadLettersCommand } from './commands/dead-letters-command.js';
import { loadHandlerSettings } from './composition/load-handler-settings.js';
import { startSaveHandler, type RunningSaveHandler } from './composition/start-save-handler.js';
import { SignalShutdown } from './lifecycle/signal-shutdown.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function fail(line: string, code: number): never {
  process.stderr.write(`${maskSecrets(line)}\n`);
  process.exit(code);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`.replace(/\s*\n\s*/g, ' ');
}

async function main(): Promise<void> {
  let settings: SignUpSettings;
  try {
    const parsed = parseArguments(process.argv.slice(2));
    if (parsed.command === 'help') {
      process.stdout.write(`${USAGE}\n  save         save each signed-up prospect to the database\n  deadletters  ${DEAD_LETTERS_SUMMARY}\n`);
      return;
    }
    if (parsed.command === 'deadletters') {
      process.exitCode = await runDeadLettersCommand(parsed.args);
      return;
    }
    settings = loadHandlerSettings();
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigurationError) fail(error.message, EXIT_USAGE);
    throw error;
  }

  let running: RunningSaveHandler;
  try {
    running = await startSaveHandler(settings);
  } catch (error) {
    if (error instanceof ConfigurationError) fail(error.message, EXIT_USAGE);
    if (settings.logging.level === 'debug' && error instanceof Error && error.stack !== undefined) {
      process.stderr.write(`${maskSecrets(error.stack)}\n`);
    }
    fail(`signup-handler save could not start: ${describe(error)}`, EXIT_FAILURE);
  }

  const { logger } = running;
  process.on('unhandledRejection', (reason) => {
    logger.error('Unhandled rejection; exiting', { error: reason });
    process.exit(EXIT_FAILURE);
  });
  new SignalShutdown({ stop: () => running.stop(), exit: (code) => process.exit(code), logger }).install(process);
}

main().catch((error: unknown) => {
  fail(`signup-handler failed: ${describe(error)}`, EXIT_FAILURE);
});
