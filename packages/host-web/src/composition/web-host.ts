import type { Server } from 'node:http';
import type Koa from 'koa';
import {
  IHealthCheck,
  IProspectSaveHandler,
  IReferenceDataLoader,
  SaveProspectEventHandler,
  SignUpProspect,
  type IEventPublisher,
  type ILogger,
  type ISubscription,
} from '@signup/domain';
import type { SignUpSettings } from '@signup/adapters/config';
import { resolveImplementation } from '@signup/adapters/di';
import { InMemoryEventBus } from '@signup/adapters/memory';
import { connectToMessageQueue, createNatsMessaging } from '@signup/adapters/nats';
import { createKnex, migrateDatabase, parseConnectionString, SqlHealthCheck, SqlProspectRepository } from '@signup/adapters/sql';
import { createApp } from '../http/create-app.js';
import type { WebAppOptions } from '../http/web-app-dependencies.js';
import { WebMetrics } from '../http/web-metrics.js';
import { buildContainer, type ContainerOverrides } from './build-container.js';

/** How the host is put together, beyond the settings. */
export interface WebHostOptions {
  readonly logger: ILogger;
  readonly overrides?: ContainerOverrides;
  readonly metrics?: WebMetrics;
  readonly app?: WebAppOptions;
  /** How long `stop` lets open requests finish before closing their connections. Default 10 s. */
  readonly shutdownGraceMs?: number;
}

type Knex = ReturnType<typeof createKnex>;
type MessageQueueConnection = Awaited<ReturnType<typeof connectToMessageQueue>>;

interface Resources {
  knex?: Knex;
  nats?: MessageQueueConnection;
  bus?: InMemoryEventBus;
  subscription?: ISubscription;
}

/** What a configuration needs, decided once from the settings. */
interface Plan {
  readonly saveHandler: string;
  readonly asynchronous: boolean;
  /** Async without `MessageQueue:Url`: the in-process bus and the save handler in this process. */
  readonly allInOne: boolean;
  /** Migrations run when the database serves anything: saves, or the reference data. */
  readonly usesDatabase: boolean;
  /** Saves reach the database from this process (synchronous, or the in-process save handler); readiness checks it. */
  readonly savesToDatabase: boolean;
}

function planFor(settings: SignUpSettings, overrides: ContainerOverrides): Plan {
  const saveHandler = overrides.saveHandler?.name
    ?? resolveImplementation('IProspectSaveHandler', settings.dependencies.IProspectSaveHandler);
  const referenceData = resolveImplementation('IReferenceDataLoader', settings.dependencies.IReferenceDataLoader);
  const asynchronous = saveHandler === 'AsynchronousProspectSaveHandler';
  const allInOne = asynchronous && settings.messageQueue.url === undefined;
  const databaseReferenceData = overrides.referenceDataLoader === undefined && referenceData === 'DatabaseReferenceDataLoader';
  const savesToDatabase = !asynchronous || allInOne;
  return { saveHandler, asynchronous, allInOne, usesDatabase: savesToDatabase || databaseReferenceData, savesToDatabase };
}

// Loaded once and cached: after a successful start this answers at once, so an outage of the
// reference-data source alone does not make the host unready; before that, it retries the load.
function referenceDataHealthCheck(loader: () => IReferenceDataLoader | undefined): IHealthCheck {
  return {
    name: 'reference-data',
    check: async () => {
      const current = loader();
      if (current === undefined) throw new Error('the reference data loader is not built yet');
      await current.load();
    },
  };
}

function subscriptionHealthCheck(name: string, subscription: () => ISubscription | undefined): IHealthCheck {
  return {
    name,
    check: () => (subscription()?.healthy === true
      ? Promise.resolve()
      : Promise.reject(new Error(`the in-process ${name} is not running`))),
  };
}

/**
 * The composition root of `signup-web`. `create` opens what the configuration
 * needs (knex with migrations; NATS, or the in-process bus with the save
 * handler subscribed to it in this process for the all-in-one), builds the
 * container and the Koa app, and warms the reference data. `listen` serves it;
 * `stop` undoes everything in reverse order.
 */
export class WebHost {
  private server: Server | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly app: Koa,
    readonly metrics: WebMetrics,
    private readonly resources: Resources,
    private readonly logger: ILogger,
    private readonly shutdownGraceMs: number,
  ) {}

  /**
   * Opens connections and builds the app. On failure, closes whatever it opened and rethrows.
   *
   * @throws ConfigurationError for a bad implementation name or connection string.
   * @throws DatabaseUnavailableError when migrations cannot run; QueueUnavailableError when NATS cannot be reached.
   */
  static async create(settings: SignUpSettings, options: WebHostOptions): Promise<WebHost> {
    const { logger } = options;
    const overrides = options.overrides ?? {};
    const plan = planFor(settings, overrides);
    const resources: Resources = {};
    try {
      const knex = createKnex(settings.database.connectionString);
      resources.knex = knex;
      const built: { referenceData?: IReferenceDataLoader } = {};
      const healthChecks: IHealthCheck[] = [referenceDataHealthCheck(() => built.referenceData)];
      if (plan.usesDatabase) {
        logger.info(`Database: ${parseConnectionString(settings.database.connectionString).display}`);
        if (settings.database.migrate) await migrateDatabase(knex);
      }
      if (plan.savesToDatabase) healthChecks.push(new SqlHealthCheck(knex));

      let eventPublisher: IEventPublisher | undefined;
      if (plan.allInOne) {
        logger.info('Message queue: in-process bus (MessageQueue:Url is not set); the save handler runs in this process');
        resources.bus = new InMemoryEventBus({ logger });
        eventPublisher = resources.bus;
        healthChecks.push(subscriptionHealthCheck('save-handler', () => resources.subscription));
      } else if (plan.asynchronous) {
        resources.nats = await connectToMessageQueue(settings.messageQueue, logger);
        const messaging = await createNatsMessaging(resources.nats, settings.messageQueue, logger);
        eventPublisher = messaging.publisher;
        healthChecks.push(messaging.healthCheck);
      }

      const container = buildContainer(settings, {
        logger,
        sql: knex,
        prospectRepository: new SqlProspectRepository(knex),
        ...(eventPublisher === undefined ? {} : { eventPublisher }),
        ...(resources.bus === undefined ? {} : { eventSubscriber: resources.bus }),
        healthChecks,
      }, overrides);

      if (resources.bus !== undefined) {
        resources.subscription = await resources.bus.subscribe(container.get(SaveProspectEventHandler));
      }

      const referenceData = container.get<IReferenceDataLoader>(IReferenceDataLoader);
      built.referenceData = referenceData;
      try {
        await referenceData.load();
      } catch (error) {
        logger.warn('Reference data could not be loaded at start; the form answers 503 until it can be', { error });
      }

      const metrics = options.metrics ?? new WebMetrics();
      const app = createApp({
        signUp: container.get(SignUpProspect),
        referenceData,
        healthChecks: container.getAll<IHealthCheck>(IHealthCheck),
        logger,
        metrics,
        saveHandlerName: container.get<IProspectSaveHandler>(IProspectSaveHandler).name,
        ...(options.app === undefined ? {} : { options: options.app }),
      });
      return new WebHost(app, metrics, resources, logger, options.shutdownGraceMs ?? 10_000);
    } catch (error) {
      await WebHost.release(resources, logger);
      throw error;
    }
  }

  /** Starts serving; resolves with the port once listening. */
  listen(port: number, host?: string): Promise<number> {
    if (this.server !== undefined) return Promise.reject(new Error('The web host is already listening.'));
    const server = this.app.listen({ port, ...(host === undefined ? {} : { host }) });
    this.server = server;
    server.requestTimeout = 30_000;
    server.headersTimeout = 20_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /**
   * Stops taking requests and lets open ones finish, gives the in-process save
   * handler time to store what it holds (both within the grace period), then
   * stops it and closes the connections.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const server = this.server;
      if (server !== undefined && server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), this.shutdownGraceMs);
        await closed;
        clearTimeout(timer);
      }
      await this.drainInProcessBus();
      await WebHost.release(this.resources, this.logger);
    })();
    return this.stopping;
  }

  // Sign-ups the in-process bus still holds exist nowhere else: give the save handler the grace period to store them.
  private async drainInProcessBus(): Promise<void> {
    const bus = this.resources.bus;
    if (bus === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([bus.whenIdle(), new Promise<void>((resolve) => { timer = setTimeout(resolve, this.shutdownGraceMs); })]);
    clearTimeout(timer);
    if (bus.size > 0) this.logger.warn(`${bus.size} sign-up(s) were still waiting in the in-process bus and were not saved`);
  }

  private static async release(resources: Resources, logger: ILogger): Promise<void> {
    const attempt = async (what: string, action: () => Promise<unknown>): Promise<void> => {
      try {
        await action();
      } catch (error) {
        logger.warn(`Could not ${what} cleanly`, { error });
      }
    };
    const { subscription, bus, nats, knex } = resources;
    if (subscription !== undefined) await attempt('stop the in-process save handler', () => subscription.stop());
    if (bus !== undefined) await attempt('close the in-process bus', () => bus.close());
    if (nats !== undefined) await attempt('drain the message queue connection', () => nats.drain());
    if (knex !== undefined) await attempt('close the database connections', () => knex.destroy());
  }
}
