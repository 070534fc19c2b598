import {
  describeFailure, ReferenceData, toProspectInput, validateProspect,
  type EventOutcome, type ILogger, type IProspectEventHandler, type Prospect, type ProspectSignedUpEvent,
} from '@signup/domain';
import type { WelcomeMailer } from './welcome-mailer.js';

/** The durable consumer this handler subscribes as: it gets its own copy of every event. */
export const WELCOME_HANDLER_NAME = 'welcome-handler';

/**
 * Sends every new prospect a welcome message. Like every handler, it validates each
 * event first (`validateProspect`, docs/architecture.md): an event that does not pass
 * (a missing prospect, a bad address, an unknown code) is `rejected` with the reason,
 * so it is dead-lettered and nobody is mailed. A mailer failure is passing (`retry`:
 * the event comes back later, it is never dead-lettered for it).
 */
export class WelcomeEmailHandler implements IProspectEventHandler {
  readonly name = WELCOME_HANDLER_NAME;

  /** `reference`: the countries and roles an event's codes must exist in; the default reference data unless given. */
  constructor(
    private readonly mailer: WelcomeMailer,
    private readonly logger: ILogger,
    private readonly reference: ReferenceData = ReferenceData.defaults(),
  ) {}

  async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    const outcomes: EventOutcome[] = [];
    for (const event of events) {
      let prospect: Prospect;
      try {
        prospect = validateProspect(toProspectInput(event.prospect), this.reference);
      } catch (error) {
        outcomes.push({ status: 'rejected', reason: describeFailure(error) });
        continue;
      }
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
