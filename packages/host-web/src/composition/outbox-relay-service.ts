import { SynchronousProspectSaveHandler, type IEventPublisher, type IHealthCheck, type ILogger, type IProspectSaveHandler } from '@signup/domain';
import type { SignUpSettings } from '@signup/adapters/config';
import { SqlProspectOutboxRelay, SqlProspectRepository, type SqlConnection } from '@signup/adapters/sql';
import type { WebMetrics } from '../http/web-metrics.js';

/** The name of the outbox relay's line in the readiness answer. */
export const OUTBOX_RELAY_CHECK = 'outbox relay';

/** What decides whether the web writes the outbox: the settings and the implementations chosen. */
export interface OutboxChoice {
  readonly settings: SignUpSettings;
  /** The `IProspectSaveHandler` chosen (`SynchronousProspectSaveHandler`, ...). */
  readonly saveHandler: string | undefined;
  /** The `IProspectRepository` chosen. */
  readonly repository: string | undefined;
}

/**
 * The web's transactional outbox (docs/reliability.md, "The outbox"): the synchronous save
 * writing each event into `ProspectOutbox` in the transaction of its `Prospects` row, and
 * the relay publishing those rows through the web's publisher. `open` builds both, `start`
 * starts the relay, `healthCheck` is its readiness line (not critical: the web still saves
 * while the message queue is away), `stop` ends it. The save handler replaces the one the
 * container holds for the web's own sign-ups.
 */
export class OutboxRelayService {
  /** The synchronous save that writes the outbox; the web's `SignUpProspect` uses it. */
  readonly saveHandler: IProspectSaveHandler;
  readonly healthCheck: IHealthCheck;

  private constructor(private readonly relay: SqlProspectOutboxRelay, saveHandler: IProspectSaveHandler, queueCheck: IHealthCheck | undefined) {
    this.saveHandler = saveHandler;
    this.healthCheck = {
      name: OUTBOX_RELAY_CHECK,
      critical: false,
      check: async () => {
        const queue = await queueCheck?.check().then(() => true, () => false) ?? true;
        if (!queue || this.relay.failure === 'queue') throw new Error('waiting for the message queue');
        if (this.relay.failure === 'database') throw new Error('waiting for the database');
      },
    };
  }

  /**
   * Whether the outbox is on: with the synchronous save to SQL, unless `Outbox:Enabled` is
   * false. The host then publishes through NATS (`MessageQueue:Url`) or its in-process bus.
   */
  static isEnabled(choice: OutboxChoice): boolean {
    return choice.saveHandler === 'SynchronousProspectSaveHandler'
      && choice.repository === 'SqlProspectRepository'
      && choice.settings.outbox.enabled !== false;
  }

  /**
   * Builds the outbox-writing save and the relay on `knex`, publishing through `publisher`
   * (the configured `IEventPublisher`) and reporting to the web's metrics. `queueCheck`, when
   * given, is the message queue's readiness, which the relay's line follows. No I/O.
   */
  static open(
    knex: SqlConnection,
    publisher: IEventPublisher,
    options: { settings: SignUpSettings; logger: ILogger; metrics: WebMetrics; queueCheck?: IHealthCheck; pollIntervalMs?: number },
  ): OutboxRelayService {
    const holder: { relay?: SqlProspectOutboxRelay } = {};
    const repository = new SqlProspectRepository(knex, { encoding: options.settings.messageQueue.encoding, onWritten: () => holder.relay?.wake() });
    const relay: SqlProspectOutboxRelay = new SqlProspectOutboxRelay(knex, publisher, {
      logger: options.logger,
      observer: options.metrics.observeOutbox({ backlog: () => relay.backlog() }),
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    });
    holder.relay = relay;
    options.logger.info('Outbox: synchronous sign-ups are written to ProspectOutbox and published by this host\'s relay (Outbox:Enabled=false turns it off)');
    return new OutboxRelayService(relay, new SynchronousProspectSaveHandler(repository), options.queueCheck);
  }

  start(): void {
    this.relay.start();
  }

  /** Stops the relay after its round in progress; rows left are published at the next start. */
  stop(): Promise<void> {
    return this.relay.stop();
  }
}
