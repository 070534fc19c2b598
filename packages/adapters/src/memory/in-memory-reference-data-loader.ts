import { type IReferenceDataLoader, ReferenceData } from '@signup/domain';

/**
 * An `IReferenceDataLoader` that hands out fixed reference data (the original
 * app's countries and roles unless told otherwise). For tests and the all-in-one
 * host; it never fails. `loadCount` says how often it was asked.
 */
export class InMemoryReferenceDataLoader implements IReferenceDataLoader {
  private loads = 0;

  constructor(private readonly data: ReferenceData = ReferenceData.defaults()) {}

  /** How many times `load` has been called. */
  get loadCount(): number {
    return this.loads;
  }

  load(): Promise<ReferenceData> {
    this.loads += 1;
    return Promise.resolve(this.data);
  }
}
