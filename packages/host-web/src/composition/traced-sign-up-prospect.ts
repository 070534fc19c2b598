import { inChildSpan } from '@signup/adapters/tracing';
import { SignUpProspect, type ProspectSignedUpEvent, type SignUpOptions } from '@signup/domain';

/**
 * `SignUpProspect` with its validation in a span of its own (`validate prospect`, a child of
 * the request's span), so a trace shows the validation apart from the publish or the save.
 * Used by the web host only when tracing is on; the domain knows nothing of spans.
 */
export class TracedSignUpProspect extends SignUpProspect {
  override prepare(input: unknown, options?: SignUpOptions): Promise<ProspectSignedUpEvent> {
    return inChildSpan('validate prospect', {}, () => super.prepare(input, options));
  }
}
