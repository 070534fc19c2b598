import type { EventOutcome, ILogger, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';
import type { WelcomeMailer } from './welcome-mailer.js';

/** The durable consumer this handler subscribes as: it gets its own copy of every event. */
export const WELCOME_HANDLER_NAME = 'welcome-handler';

/**
 * Sends every new prospect a welcome message. A mailer failure is passing
 * (`retry`: the event comes back later, it is never dead-lettered for it);
 * there is nothing permanent that can go wrong with a validated event here.
 */
export class WelcomeEmailHandler implements IProspectEventHandler {
  readonly name = WELCOME_HANDLER_NAME;

  constructor(private readonly mailer: WelcomeMailer, private readonly logger: ILogger) {}

  async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    const outcomes: EventOutcome[] = [];
    for (const event of events) {
      const { prospect } = event;
      try {
        await this.mailer.send({
          to: prospect.emailAddress,
          subject: 'Welcome!',
          body: `Hello ${prospect.firstName}, thank you for signing up.`,
          correlationId: event.correlationId,
        });
        this.logger.info(`Welcome message sent to ${prospect.emailAddress}; event ID: ${event.correlationId}`);
        outcomes.push({ status: 'done' });
      } catch (error) {
        outcomes.push({ status: 'retry', reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return outcomes;
  }
}
