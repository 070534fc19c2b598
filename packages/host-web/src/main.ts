#!/usr/bin/env node
import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '@signup/adapters/config';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { describeError, SignalShutdown } from '@signup/adapters/hosting';
import { ConsoleLogger, maskSecrets } from '@signup/adapters/logging';
import { startTracing } from '@signup/adapters/tracing';
import { WebHost } from './composition/web-host.js';

const APP_SETTINGS = fileURLToPath(new URL('../../appsettings.json', import.meta.url));

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
    logger.error(`Could not start: ${describeError(error)}`);
    process.exit(1);
  }
  // Tracing stops last, so the spans of the requests finished while stopping are sent.
  const stop = (): Promise<boolean> => host.stop().then(async (clean) => {
    await tracing.shutdown();
    return clean;
  });
  new SignalShutdown({ stop, exit: (code) => process.exit(code), logger }).install(process);
  let port: number;
  try {
    port = await host.listen(settings.web.port);
  } catch (error) {
    logger.error(`Could not listen on port ${settings.web.port}: ${describeError(error)}`);
    await stop();
    process.exit(1);
  }
  logger.info(`Now listening on: http://localhost:${port}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${maskSecrets(`signup-web could not start: ${describeError(error)}`)}\n`);
  process.exit(1);
});
