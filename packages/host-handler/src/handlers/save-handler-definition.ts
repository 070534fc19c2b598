import { ILogger, IProspectRepository, IReferenceDataLoader, SAVE_HANDLER_NAME, SaveProspectEventHandler } from '@signup/domain';
import { ContainerModule } from 'inversify';
import type { HandlerDefinition } from './handler-definition.js';

/**
 * `signup-handler save`: subscribes as `save-handler` and stores each signed-up
 * prospect through `IProspectRepository` (SQL by default), validated against the
 * reference data. On SQLite, whose one connection a second batch would only
 * wait for, it handles one batch at a time.
 */
export const saveHandlerDefinition: HandlerDefinition = {
  name: SAVE_HANDLER_NAME,
  ports: ['IProspectRepository', 'IReferenceDataLoader'],
  storesSignUps: true,
  modules: [new ContainerModule(({ bind }) => {
    bind(SaveProspectEventHandler)
      .toResolvedValue(
        (repository: IProspectRepository, referenceData: IReferenceDataLoader, logger: ILogger) => new SaveProspectEventHandler(repository, referenceData, logger),
        [IProspectRepository, IReferenceDataLoader, ILogger],
      )
      .inSingletonScope();
  })],
  createHandler: ({ get }) => get(SaveProspectEventHandler),
  tuning: ({ database }) => (database?.client === 'better-sqlite3' ? { concurrentBatches: 1 } : {}),
};
