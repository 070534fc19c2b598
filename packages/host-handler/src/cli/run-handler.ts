import type { SignUpSettings } from '@signup/adapters/config';
import { describeError, SignalShutdown } from '@signup/adapters/hosting';
import { ConsoleLogger, maskSecrets } from '@signup/adapters/logging';
import { startTracing, type Tracing } from '@signup/adapters/tracing';
import { ConfigurationError } from '@signup/adapters/config';
import { loadHandlerSettings } from '../composition/load-handler-settings.js';
import { startHandler, type RunningHandler, type StartHandlerOptions } from '../composition/start-handler.js';
import type { HandlerDefinition } from '../handlers/handler-definition.js';
import { EXIT_CODES, type CommandIo, type HandlerCommand } from './handler-command.js';
import { UsageError } from './parse-arguments.js';

/** How `runHandler` is run: the name of the program in its messages, and the process it listens to. */
export interface RunHandlerOptions {
  /** Names the program in a start-up failure: `signup-handler save` could not start: .... */
  readonly programName: string;
  /** Receives SIGTERM/SIGINT and unhandled rejections. Default: this process. */
  readonly process?: Pick<NodeJS.Process, 'on'>;
  readonly adapters?: StartHandlerOptions['adapters'];
}

/** The default `service.name` of every handler's spans; `OTEL_SERVICE_NAME` overrides it. */
export const HANDLER_SERVICE_NAME = 'signup-handler';

/**
 * Runs a handler until it is stopped: reads the settings (the host's `appsettings.json`,
 * `configs/config.json`, `secrets/secret.json`, the environment), starts the handler with
 * `startHandler` (with tracing when the `OTEL_*` variables turn it on, as service
 * `signup-handler` unless `OTEL_SERVICE_NAME` says otherwise), and on SIGTERM/SIGINT stops
 * it gracefully, tracing last. Resolves with the exit code:
 * 0 stopped cleanly; 1 could not start (one line on stderr, credentials masked), did not
 * stop cleanly, or a second signal; 2 a configuration mistake (one line naming the key).
 */
export async function runHandler(definition: HandlerDefinition, io: CommandIo, options: RunHandlerOptions): Promise<number> {
  const stderr = io.stderr ?? ((text: string) => void process.stderr.write(text));
  const fail = (line: string, code: number): number => {
    stderr(`${maskSecrets(line)}\n`);
    return code;
  };
  const write = io.stdout === undefined ? undefined : (line: string) => io.stdout?.(`${line}\n`);
  let settings: SignUpSettings;
  let tracing: Tracing;
  let running: RunningHandler;
  try {
    settings = loadHandlerSettings({ cwd: io.cwd, env: io.env });
    // The SDK's own warnings (a collector refusing spans) are logged under the handler's name.
    const sdkLogger = new ConsoleLogger({ name: definition.name, level: settings.logging.level, format: settings.logging.format, write });
    tracing = await startTracing(HANDLER_SERVICE_NAME, io.env ?? process.env, sdkLogger);
  } catch (error) {
    if (error instanceof ConfigurationError) return fail(error.message, EXIT_CODES.usage);
    throw error;
  }
  try {
    running = await startHandler(definition, settings, { write, adapters: options.adapters, tracer: tracing.tracer });
  } catch (error) {
    await tracing.shutdown();
    if (error instanceof ConfigurationError) return fail(error.message, EXIT_CODES.usage);
    if (settings.logging.level === 'debug' && error instanceof Error && error.stack !== undefined) stderr(`${maskSecrets(error.stack)}\n`);
    return fail(`${options.programName} could not start: ${describeError(error)}`, EXIT_CODES.failure);
  }

  const { logger } = running;
  const target = options.process ?? process;
  return new Promise<number>((resolve) => {
    target.on('unhandledRejection', (reason) => {
      logger.error('Unhandled rejection; exiting', { error: reason });
      resolve(EXIT_CODES.failure);
    });
    // Tracing stops last, so the spans of the batches finished while stopping are sent.
    const stop = (): Promise<boolean> => running.stop().then(async (clean) => {
      await tracing.shutdown();
      return clean;
    });
    new SignalShutdown({ stop, exit: resolve, logger }).install(target);
  });
}

/** What a handler command is made of: its table entry and the definition its arguments select. */
export interface HandlerCommandSpec extends Omit<HandlerCommand, 'run'> {
  /**
   * The definition to run for these arguments (after the command's name).
   * @throws UsageError for arguments the command does not take.
   */
  readonly definitionFor: (args: readonly string[]) => HandlerDefinition;
}

/**
 * A command-table entry that runs a handler definition with the handler host's lifecycle.
 * Its `definition` (the one for no arguments) is what the all-in-one runs in its process.
 */
export function handlerCommand(spec: HandlerCommandSpec): HandlerCommand {
  const { definitionFor, ...entry } = spec;
  return {
    ...entry,
    definition: definitionFor([]),
    run: (args, io = {}) => {
      let definition: HandlerDefinition;
      try {
        definition = definitionFor(args);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        (io.stderr ?? ((text: string) => void process.stderr.write(text)))(`${error.message}\n`);
        return Promise.resolve(EXIT_CODES.usage);
      }
      return runHandler(definition, io, { programName: `signup-handler ${spec.name}`, ...(io.process === undefined ? {} : { process: io.process }) });
    },
  };
}
