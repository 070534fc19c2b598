import type { IHealthCheck, IReferenceDataLoader } from '@signup/domain';

/**
 * Readiness of the reference data (`reference-data`). The loader is cached: after a
 * successful start this answers at once, so an outage of the reference-data source
 * alone does not make the host unready; before that, each check retries the load.
 * Fails while `loader()` answers undefined (not built yet).
 */
export function referenceDataHealthCheck(loader: () => IReferenceDataLoader | undefined): IHealthCheck {
  return {
    name: 'reference-data',
    check: async () => {
      const current = loader();
      if (current === undefined) throw new Error('the reference data loader is not built yet');
      await current.load();
    },
  };
}
