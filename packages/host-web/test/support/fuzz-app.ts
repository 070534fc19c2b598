import type Koa from 'koa';
import {
  AsynchronousProspectSaveHandler,
  SaveProspectEventHandler,
  SignUpProspect,
  SynchronousProspectSaveHandler,
  type IEventPublisher,
  type ILogger,
  type IProspectSaveHandler,
  type ISubscription,
  type ProspectSignedUpEvent,
} from '@signup/domain';
import {
  InMemoryEventBus, InMemoryProspectRepository, InMemoryReferenceDataLoader, RecordingLogger, type StoredProspect,
} from '@signup/adapters/memory';
import { createApp } from '../../src/http/create-app.js';
import { WebMetrics } from '../../src/http/web-metrics.js';

/** How a sign-up is saved: straight to the repository, or through the in-process bus and the save handler. */
export type SavePath = 'sync' | 'async';

/** The real app around the real use case and validation, saving to memory. */
export interface FuzzApp {
  readonly path: SavePath;
  readonly app: Koa;
  readonly callback: ReturnType<Koa['callback']>;
  readonly logger: ILogger;
  /** Every event handed to the bus (always empty in sync mode). */
  readonly published: readonly ProspectSignedUpEvent[];
  /** What the repository holds once the bus (if any) has delivered everything. */
  stored(): Promise<readonly StoredProspect[]>;
  close(): Promise<void>;
}

/**
 * Builds the app with `SignUpProspect` and real `validateProspect` over
 * `SynchronousProspectSaveHandler` + `InMemoryProspectRepository` (sync), or
 * `AsynchronousProspectSaveHandler` + `InMemoryEventBus`, with the real
 * `SaveProspectEventHandler` subscribed and storing to an in-memory repository
 * (async). Publishes are recorded so a test can tell no event was sent.
 */
export async function createFuzzApp(path: SavePath, logger: ILogger = new RecordingLogger()): Promise<FuzzApp> {
  const referenceData = new InMemoryReferenceDataLoader();
  const repository = new InMemoryProspectRepository();
  const published: ProspectSignedUpEvent[] = [];
  let bus: InMemoryEventBus | undefined;
  let subscription: ISubscription | undefined;
  let saveHandler: IProspectSaveHandler;
  if (path === 'sync') {
    saveHandler = new SynchronousProspectSaveHandler(repository);
  } else {
    const inProcess = new InMemoryEventBus({ logger, retryDelaysMs: [10] });
    bus = inProcess;
    const publisher: IEventPublisher = {
      publish: (event) => {
        published.push(event);
        return inProcess.publish(event);
      },
    };
    saveHandler = new AsynchronousProspectSaveHandler(publisher);
    subscription = await inProcess.subscribe(new SaveProspectEventHandler(repository, referenceData, logger));
  }
  const app = createApp({
    signUp: new SignUpProspect(referenceData, saveHandler),
    referenceData,
    healthChecks: [],
    logger,
    metrics: new WebMetrics({ defaultMetrics: false }),
    saveHandlerName: saveHandler.name,
  });
  return {
    path,
    app,
    callback: app.callback(),
    logger,
    published,
    async stored() {
      await bus?.whenIdle();
      return repository.prospects;
    },
    async close() {
      await subscription?.stop();
      await bus?.close();
    },
  };
}
