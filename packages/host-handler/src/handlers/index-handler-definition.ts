import { ILogger, INDEX_HANDLER_NAME, IndexProspectEventHandler, IProspectIndex, IReferenceDataLoader } from '@signup/domain';
import { ContainerModule } from 'inversify';
import type { HandlerDefinition } from './handler-definition.js';

/** How `signup-handler index` runs. */
export interface IndexHandlerOptions {
  /** Empty the store and index the stream again from its first event (`--rebuild`). */
  readonly rebuild: boolean;
}

/** Binds the index handler's use case; its store is the chosen `IProspectIndex`. */
const indexHandlerModule = new ContainerModule(({ bind }) => {
  bind(IndexProspectEventHandler)
    .toResolvedValue(
      (index: IProspectIndex, referenceData: IReferenceDataLoader, logger: ILogger) => new IndexProspectEventHandler(index, referenceData, logger),
      [IProspectIndex, IReferenceDataLoader, ILogger],
    )
    .inSingletonScope();
});

/**
 * `signup-handler index`: subscribes as `index-handler` and writes each signed-up
 * prospect to the analytics store `Dependencies:IProspectIndex` chooses (the SQL read
 * model by default), validated against the reference data (docs/analytics.md). On
 * SQLite it handles one batch at a time, like the save handler. With `rebuild`, before
 * subscribing it deletes its durable consumer (refused while another instance of the
 * handler is consuming), empties the store, and so indexes the whole stream again.
 */
export function indexHandlerDefinition(options: IndexHandlerOptions): HandlerDefinition {
  return {
    name: INDEX_HANDLER_NAME,
    ports: ['IProspectIndex', 'IReferenceDataLoader'],
    modules: [indexHandlerModule],
    createHandler: ({ get }) => get(IndexProspectEventHandler),
    tuning: ({ analyticsDatabase }) => (analyticsDatabase?.client === 'better-sqlite3' ? { concurrentBatches: 1 } : {}),
    ...(options.rebuild ? {
      beforeSubscribe: async ({ get, logger, replayFromStart }) => {
        logger.info('Rebuilding the index: every event in the stream is indexed again');
        await replayFromStart();
        await get<IProspectIndex>(IProspectIndex).clear();
        logger.info('Emptied the index; indexing from the first event in the stream');
      },
    } : {}),
  };
}
