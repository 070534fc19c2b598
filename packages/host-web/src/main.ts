#!/usr/bin/env node
import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { type ILogger } from '@signup/domain';
import { ConfigurationError } from '@signup/adapters/config';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { ConsoleLogger } from '@signup/adapters/logging';
import { startTracing, type Tracing } from '@signup/adapters/tracing';
import { WebHost } from './composition/web-host.js';

const APP_SETTINGS = fileURLToPath(new URL('../../appsettings.json', import.meta.url));

function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function handleSignals(host: WebHost, tracing: Tracing, logger: ILogger): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    // Tracing stops last, so the spans of the requests finished while stopping are sent.
    host.stop().then(() => tracing.shutdown()).then(() => {
      logger.info('Stopped');
      process.exit(0);
    }, (error: unknown) => {
      logger.error('Shutdown failed', { error });
      process.exit(1);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

async function main(): Promise<void> {
  const settings = readSignUpSettings(loadConfiguration({ appSettingsPath: APP_SETTINGS }));
  const logger = new ConsoleLogger({ name: 'signup-web', level: settings.logging.level, format: settings.logging.format });
  const tracing = await startTracing('signup-web', process.env, logger);
  let host: WebHost;
  try {
    host = await WebHost.create(settings, { logger, tracer: tracing.tracer });
  } catch (error) {
    await tracing.shutdown();
    if (error instanceof ConfigurationError) throw error;
    logger.error(`Could not start: ${describeFailure(error)}`);
    process.exit(1);
  }
  handleSignals(host, tracing, logger);
  let port: number;
  try {
    port = await host.listen(settings.web.port);
  } catch (error) {
    logger.error(`Could not listen on port ${settings.web.port}: ${describeFailure(error)}`);
    await host.stop();
    await tracing.shutdown();
    process.exit(1);
  }
  logger.info(`Now listening on: http://localhost:${port}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`signup-web could not start: ${describeFailure(error)}\n`);
  process.exit(1);
});
