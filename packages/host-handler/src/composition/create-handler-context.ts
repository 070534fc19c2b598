import type { SignUpSettings } from '@signup/adapters/config';
import type { NatsConnection } from '@signup/adapters/nats';
import { type ILogger } from '@signup/domain';
import { ConfigurationError } from '@signup/adapters/config';
import type { Container } from 'inversify';
import type { HandlerContext } from '../handlers/handler-definition.js';
import type { HandlerHostAdapters } from './handler-host-adapters.js';

/**
 * What the host gives a handler definition: the settings, the logger, the container's
 * bindings, and `replayFromStart` (for `--rebuild`), which resets the handler's durable
 * consumer so it is delivered every event of the stream again.
 */
export function createHandlerContext(
  name: string,
  settings: SignUpSettings,
  host: { readonly logger: ILogger; readonly container: Container; readonly connection: NatsConnection; readonly resetConsumer: HandlerHostAdapters['resetConsumer'] },
): HandlerContext {
  const { logger, container, connection, resetConsumer } = host;
  return {
    settings,
    logger,
    get: (token) => container.get(token),
    replayFromStart: async () => {
      if (settings.messageQueue.mode === 'core') {
        throw new ConfigurationError('MessageQueue:Mode',
          'MessageQueue:Mode = "core" keeps no history of events to replay; replaying from the first event needs jetstream');
      }
      await resetConsumer(connection, name, logger);
    },
  };
}
