import type { HandlerDefinition } from '@signup/host-handler';
import { WELCOME_HANDLER_NAME, WelcomeEmailHandler } from './welcome-email-handler.js';
import type { WelcomeMailer } from './welcome-mailer.js';

/**
 * The welcome handler as the handler host runs it: subscribed as `welcome-handler`, so it
 * gets its own copy of every event (from the beginning of the stream when it first starts).
 * It resolves no configurable port, so the host opens no database, only NATS.
 */
export function welcomeHandlerDefinition(mailer: WelcomeMailer): HandlerDefinition {
  return {
    name: WELCOME_HANDLER_NAME,
    ports: [],
    createHandler: ({ logger }) => new WelcomeEmailHandler(mailer, logger),
  };
}
