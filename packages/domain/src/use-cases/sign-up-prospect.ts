import { isCorrelationId, type ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';
import { validateProspect } from '../model/validate-prospect.js';
import { type IProspectSaveHandler, type ProspectSaveResult } from '../ports/prospect-save-handler.js';
import { type IReferenceDataLoader } from '../ports/reference-data-loader.js';

/** Options of one sign-up. */
export interface SignUpOptions {
  /** The form's `submissionId` or the API's `Idempotency-Key`; a new UUID when absent. Must be a UUID. */
  readonly correlationId?: string;
  /** When the person signed up; now when absent. */
  readonly signedUpAt?: Date;
}

/**
 * The sign-up use case: validate what the person typed against the reference
 * data, then hand the prospect to the configured `IProspectSaveHandler`.
 *
 * @throws ProspectInvalidError when the input is not valid; nothing is saved.
 * @throws whatever the save handler throws (DatabaseUnavailableError, QueueUnavailableError).
 */
export class SignUpProspect {
  constructor(
    private readonly referenceData: IReferenceDataLoader,
    private readonly saveHandler: IProspectSaveHandler,
  ) {}

  async execute(input: unknown, options: SignUpOptions = {}): Promise<ProspectSaveResult> {
    return this.saveHandler.save(await this.prepare(input, options));
  }

  /**
   * The first step of `execute`: validates the input and builds the event, saving nothing.
   * A host that measures or traces the validation apart from the save overrides this.
   *
   * @throws ProspectInvalidError when the input is not valid.
   * @throws TypeError when `options.correlationId` is not a UUID.
   */
  async prepare(input: unknown, options: SignUpOptions = {}): Promise<ProspectSignedUpEvent> {
    if (options.correlationId !== undefined && !isCorrelationId(options.correlationId)) {
      throw new TypeError('correlationId must be a UUID');
    }
    const prospect = validateProspect(input, await this.referenceData.load());
    return {
      correlationId: (options.correlationId ?? globalThis.crypto.randomUUID()).toLowerCase(),
      signedUpAt: options.signedUpAt ?? new Date(),
      prospect,
    };
  }
}
