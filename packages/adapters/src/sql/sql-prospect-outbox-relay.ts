import type { IEventPublisher, ILogger } from '@signup/domain';
import { MessageUndecodableError } from '../nats/message-undecodable-error.js';
import type { Knex } from 'knex';
import { decodeProspectSignedUpEvent } from '../nats/prospect-signed-up-codec.js';
import { PROSPECT_OUTBOX_TABLE } from './migrations/create-prospect-outbox-table.js';
import { maxParametersPerStatement } from './prospect-insert.js';
import { sqlDialectOf, type SqlDialect } from './sql-dialect.js';
import { translateSqlError } from './translate-sql-error.js';

/** Why a relay round failed: the bus did not confirm, the database failed, or a row could not be decoded. */
export type OutboxRelayErrorCause = 'queue' | 'database' | 'undecodable';

/** What the relay reports, for the web's `/metrics` (docs/operations.md, "The outbox"). */
export interface OutboxRelayObserver {
  /** Rows published (acknowledged by the bus) and deleted. */
  published(count: number): void;
  /** One failed publish or round, by cause. */
  failed(cause: OutboxRelayErrorCause): void;
}

/** What is waiting in the outbox. */
export interface OutboxBacklog {
  readonly rows: number;
  /** When the oldest row was written; absent when the outbox is empty. */
  readonly oldestCreatedAt?: Date;
}

/** The outcome of one relay round. */
export interface OutboxRelayRound {
  /** Rows this round claimed (read and locked). */
  readonly claimed: number;
  /** Rows published and deleted. */
  readonly published: number;
  /** Set when some row was not published because the bus did not confirm it (an undecodable row is counted, not a failure of the round). */
  readonly failure?: OutboxRelayErrorCause;
}

/** Tuning for `SqlProspectOutboxRelay`. */
export interface SqlProspectOutboxRelayOptions {
  /** Rows claimed and published per round (published concurrently). Default 1000. */
  readonly batchSize?: number;
  /** How long the relay sleeps when the outbox is empty, unless `wake` is called. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /**
   * After `wake`, how long the relay lets rows gather before its next round, counted from the
   * start of the last one, so a web under load publishes a few rows per round rather than
   * paying a transaction per sign-up. Default 50 ms.
   */
  readonly wakeCoalesceMs?: number;
  /** The first pause after a failed round; it doubles with each failure up to `maxBackoffMs`. Default 250 ms. */
  readonly initialBackoffMs?: number;
  /** The longest pause between failed rounds. Default 10 s. */
  readonly maxBackoffMs?: number;
  readonly logger?: ILogger;
  readonly observer?: OutboxRelayObserver;
}

interface ClaimedRow {
  readonly OutboxId: number | string;
  readonly EventId: string;
  readonly Payload: Buffer | Uint8Array;
}

const COLUMNS = ['OutboxId', 'EventId', 'Payload'] as const;

/**
 * Publishes the rows of `ProspectOutbox` through the configured `IEventPublisher`
 * (JetStream: `Nats-Msg-Id` = EventId, resolved on the PubAck), then deletes them
 * (docs/reliability.md, "The outbox"). Each round claims up to `batchSize` rows, oldest
 * first, in a transaction that locks them so that several web instances sharing the
 * database never hold the same row: `FOR UPDATE SKIP LOCKED` on PostgreSQL and MySQL 8 /
 * MariaDB 10.6+, `UPDLOCK, READPAST` on SQL Server; SQLite has one writer process and
 * takes no lock (MariaDB may end one of two relays' deletes as a deadlock victim: that round's
 * rows are then published again, as after a crash). A row is deleted only after the bus confirmed it; a crash between the
 * confirmation and the delete publishes it again, which the stream's duplicate window and
 * the handlers' `EventId` idempotency absorb.
 *
 * `start` runs rounds until `stop`: at once again after a full round, after `wake` (the
 * repository calls it after a local commit; within `wakeCoalesceMs` of the last round's start,
 * so rows committed together go in one round) or every `pollIntervalMs` otherwise, and with
 * a doubling pause after a failed one (the bus or the database away). It never throws.
 */
export class SqlProspectOutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly wakeCoalesceMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly dialect: SqlDialect;
  private running: Promise<void> | undefined;
  private stopped = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private lastFailure: OutboxRelayErrorCause | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly publisher: IEventPublisher,
    private readonly options: SqlProspectOutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.wakeCoalesceMs = options.wakeCoalesceMs ?? 50;
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.dialect = sqlDialectOf(knex);
  }

  /** Why the last round failed, until a round succeeds; `queue` while the bus does not confirm. */
  get failure(): OutboxRelayErrorCause | undefined {
    return this.lastFailure;
  }

  /** Starts relaying in the background; a second call does nothing. */
  start(): void {
    if (this.running !== undefined || this.stopped) return;
    this.running = this.run();
  }

  /** Runs the next round now instead of at the next poll (not while backing off after a failure). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops after the round in progress; resolves once it ended. Rows not yet published stay for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
  }

  /**
   * Counts the rows waiting and finds when the oldest was written.
   *
   * @throws DatabaseUnavailableError when the database does not answer.
   */
  async backlog(): Promise<OutboxBacklog> {
    try {
      const found: { n?: number | string; oldest?: Date | string | null }[] = await this.knex(PROSPECT_OUTBOX_TABLE).count({ n: '*' }).min({ oldest: 'CreatedAt' });
      const [row] = found;
      const rows = Number(row?.n ?? 0);
      const oldest = row?.oldest;
      if (rows === 0 || oldest === null || oldest === undefined) return { rows };
      // SQLite keeps the time as ISO 8601 text; the other drivers return a Date.
      return { rows, oldestCreatedAt: oldest instanceof Date ? oldest : new Date(oldest) };
    } catch (error) {
      throw translateSqlError(error);
    }
  }

  /**
   * One round: claims up to `batchSize` rows, publishes them concurrently and deletes those
   * the bus confirmed, in one transaction (none on SQLite). Rows that failed stay.
   *
   * @throws DatabaseUnavailableError (or another error of `translateSqlError`) when the database fails.
   */
  async relayOnce(): Promise<OutboxRelayRound> {
    try {
      if (this.dialect === 'sqlite') return await this.relay(this.knex);
      // READ COMMITTED: MySQL's default REPEATABLE READ adds gap locks that make two relays deadlock on their deletes.
      const config: Knex.TransactionConfig | undefined = this.dialect === 'mysql' ? { isolationLevel: 'read committed' } : undefined;
      return await this.knex.transaction((trx) => this.relay(trx), config);
    } catch (error) {
      throw translateSqlError(error);
    }
  }

  private async relay(trx: Knex): Promise<OutboxRelayRound> {
    const rows = await this.claim(trx);
    if (rows.length === 0) return { claimed: 0, published: 0 };
    const results = await Promise.allSettled(rows.map((row) => this.publisher.publish(decodeProspectSignedUpEvent(toBytes(row.Payload)))));
    const done: (number | string)[] = [];
    let failure: OutboxRelayErrorCause | undefined;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        done.push(rows[i]!.OutboxId);
        return;
      }
      const cause = causeOf(result.reason);
      this.options.observer?.failed(cause);
      // A row this version cannot decode is left for an operator; it does not hold up the others.
      if (cause === 'undecodable') this.options.logger?.error(`Outbox row of event ${rows[i]!.EventId} cannot be decoded; it stays in ${PROSPECT_OUTBOX_TABLE}`, { error: result.reason });
      else failure ??= cause;
    });
    for (let i = 0; i < done.length; i += maxParametersPerStatement(this.dialect)) {
      await trx(PROSPECT_OUTBOX_TABLE).whereIn('OutboxId', done.slice(i, i + maxParametersPerStatement(this.dialect))).delete();
    }
    if (done.length > 0) this.options.observer?.published(done.length);
    return { claimed: rows.length, published: done.length, ...(failure === undefined ? {} : { failure }) };
  }

  private async claim(trx: Knex): Promise<ClaimedRow[]> {
    return (await claimOutboxRows(trx, this.dialect, this.batchSize)) as ClaimedRow[];
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.woken = false;
      const startedAt = Date.now();
      let round: OutboxRelayRound;
      try {
        round = await this.relayOnce();
      } catch (error) {
        round = { claimed: 0, published: 0, failure: 'database' };
        this.options.observer?.failed('database');
        if (this.lastFailure !== 'database') this.options.logger?.warn('Outbox relay: the database failed; retrying', { error });
      }
      if (round.failure !== undefined) {
        if (round.failure === 'queue' && this.lastFailure !== 'queue') {
          this.options.logger?.warn('Outbox relay: waiting for the message queue; sign-ups are saved and will be published when it is back');
        }
        this.lastFailure = round.failure;
        failures += 1;
        await this.pause(Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(failures - 1, 16)), false);
        continue;
      }
      if (this.lastFailure !== undefined) this.options.logger?.info('Outbox relay: publishing again');
      this.lastFailure = undefined;
      failures = 0;
      // Only a round that published a full batch goes on at once: rows left undecodable must not make it spin.
      if (round.published < this.batchSize) {
        await this.pause(this.pollIntervalMs, true);
        const since = Date.now() - startedAt;
        if (since < this.wakeCoalesceMs) await this.pause(this.wakeCoalesceMs - since, false);
      }
    }
  }

  private async pause(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped || (wakeable && this.woken)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        if (this.stopped || wakeable) done();
      };
    });
    this.wakeUp = undefined;
  }
}

/**
 * The statement that reads and locks the next `batchSize` outbox rows, oldest first, skipping
 * rows another transaction holds (none on SQLite, which has one writer).
 */
export function claimOutboxRows(trx: Knex, dialect: 'mssql', batchSize: number): Knex.Raw;
export function claimOutboxRows(trx: Knex, dialect: Exclude<SqlDialect, 'mssql'>, batchSize: number): Knex.QueryBuilder;
export function claimOutboxRows(trx: Knex, dialect: SqlDialect, batchSize: number): Knex.QueryBuilder | Knex.Raw;
export function claimOutboxRows(trx: Knex, dialect: SqlDialect, batchSize: number): Knex.QueryBuilder | Knex.Raw {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, not ${batchSize}`);
  const select = trx(PROSPECT_OUTBOX_TABLE).select(...COLUMNS).orderBy('OutboxId').limit(batchSize);
  switch (dialect) {
    case 'sqlite': return select;
    case 'postgres':
    case 'mysql': return select.forUpdate().skipLocked();
    case 'mssql': return trx.raw(
      `select top (${batchSize}) [OutboxId], [EventId], [Payload] from [${PROSPECT_OUTBOX_TABLE}] with (updlock, readpast, rowlock) order by [OutboxId]`,
    );
  }
}

function toBytes(payload: Buffer | Uint8Array): Uint8Array {
  return payload instanceof Uint8Array ? payload : new Uint8Array(payload);
}

// Anything but a row that cannot be decoded is the publisher's failure: the bus did not confirm.
function causeOf(error: unknown): OutboxRelayErrorCause {
  return error instanceof MessageUndecodableError ? 'undecodable' : 'queue';
}
