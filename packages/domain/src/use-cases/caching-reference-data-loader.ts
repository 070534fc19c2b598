import type { ReferenceData } from '../model/reference-data.js';
import type { IReferenceDataLoader } from '../ports/reference-data-loader.js';

/**
 * Loads reference data once through another loader and keeps it, so a sign-up
 * touches no database after start-up. A failed load is not kept: the next call
 * tries again.
 */
export class CachingReferenceDataLoader implements IReferenceDataLoader {
  private cached: Promise<ReferenceData> | undefined;

  constructor(private readonly source: IReferenceDataLoader) {}

  load(): Promise<ReferenceData> {
    if (this.cached === undefined) {
      const loading = this.source.load();
      this.cached = loading;
      loading.catch(() => {
        if (this.cached === loading) this.cached = undefined;
      });
    }
    return this.cached;
  }
}
