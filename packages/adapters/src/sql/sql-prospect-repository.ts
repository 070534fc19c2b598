import { DatabaseError, type IProspectRepository, type ProspectSignedUpEvent, type SavedProspect } from '@signup/domain';
import { inject, injectable, unmanaged } from 'inversify';
import { SpanKind } from '@opentelemetry/api';
import type { Knex } from 'knex';
import {
  buildProspectInsert, eventIdOf, maxParametersPerStatement, maxRowsPerInsert, toProspectRow, type ProspectRow,
} from './prospect-insert.js';
import { insertOutboxRows, toOutboxRow, withPostgresOutbox, type OutboxRow, type ProspectOutboxOptions } from './prospect-outbox-rows.js';
import { SqlConnection } from './sql-connection.js';
import { sqlDialectOf, type SqlDialect } from './sql-dialect.js';
import { translateSqlError } from './translate-sql-error.js';
import { inChildSpan } from '../tracing/child-span.js';

// `db.system.name` of the OpenTelemetry database conventions, by dialect.
const DB_SYSTEM: Readonly<Record<SqlDialect, string>> = { sqlite: 'sqlite', postgres: 'postgresql', mysql: 'mysql', mssql: 'microsoft.sql_server' };

interface StoredBatch {
  /** EventIds this transaction inserted. */
  readonly created: ReadonlySet<string>;
  /** ProspectId of every EventId of the batch. */
  readonly ids: ReadonlyMap<string, number>;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function eventIdsReturned(result: unknown): string[] {
  const rows: unknown = Array.isArray(result) ? result : (result as { rows?: unknown; recordset?: unknown } | undefined)?.rows
    ?? (result as { recordset?: unknown } | undefined)?.recordset;
  if (!Array.isArray(rows)) return [];
  return rows.map((row: unknown) => String((row as { EventId?: unknown }).EventId).toLowerCase());
}

/**
 * Stores prospects in the `Prospects` table through knex, idempotent on
 * `EventId` (the event's correlation id, lower-cased). A batch is one
 * transaction: one insert statement that skips events already stored (split
 * only when a batch exceeds the dialect's parameter limit), then one select of
 * the batch's ids. On PostgreSQL the insert alone is the transaction: it binds
 * one array per column and returns the ids it created, so only events stored
 * before are selected afterwards. Results come back in input order; an event repeated within a
 * batch is stored once and reported `created` only at its first position.
 *
 * With `outbox` (the web's synchronous save, docs/reliability.md "The outbox"), the same
 * transaction also writes a `ProspectOutbox` row for every event it created, holding the
 * event as the publisher sends it; an event already stored gets none, so nothing is
 * announced twice. On PostgreSQL both inserts are still one statement.
 *
 * @throws DatabaseUnavailableError when the database is down, times out or is busy (transient); with
 *   `outcomeUnknown` when the connection was lost after the committing statement was sent.
 * @throws UnknownReferenceCodeError when a country or role code is not in the database; nothing of the batch is stored.
 * @throws ProspectNotStorableError when the database refuses a value.
 */
@injectable()
export class SqlProspectRepository implements IProspectRepository {
  private readonly outbox: ProspectOutboxOptions | undefined;

  // The container builds it without an outbox; the web host constructs the outbox-writing one itself.
  constructor(@inject(SqlConnection) private readonly knex: Knex, @unmanaged() outbox?: ProspectOutboxOptions) {
    this.outbox = outbox;
  }

  async save(event: ProspectSignedUpEvent): Promise<SavedProspect> {
    const [saved] = await this.saveMany([event]);
    if (saved === undefined) throw new DatabaseError(`The database returned no row for event ${event.correlationId}.`);
    return saved;
  }

  saveMany(events: readonly ProspectSignedUpEvent[]): Promise<SavedProspect[]> {
    if (events.length === 0) return Promise.resolve([]);
    // A CLIENT span under the active one (a traced batch or request); nothing when tracing is off.
    return inChildSpan('INSERT Prospects', () => ({
      'db.system.name': DB_SYSTEM[sqlDialectOf(this.knex)],
      'db.operation.name': 'INSERT',
      'db.collection.name': 'Prospects',
      'db.operation.batch.size': events.length,
    }), () => this.saveBatch(events), SpanKind.CLIENT);
  }

  private async saveBatch(events: readonly ProspectSignedUpEvent[]): Promise<SavedProspect[]> {
    let stored: StoredBatch;
    // Set once the statement that commits has been sent: from then on a lost connection may hide a commit.
    let mayHaveCommitted = false;
    const committing = (): void => {
      mayHaveCommitted = true;
    };
    try {
      const dialect = sqlDialectOf(this.knex);
      const rows = new Map<string, ProspectRow>();
      const outboxRows = new Map<string, OutboxRow>();
      const createdAt = new Date();
      for (const event of events) {
        const eventId = eventIdOf(event);
        if (rows.has(eventId)) continue;
        rows.set(eventId, toProspectRow(event, dialect));
        if (this.outbox !== undefined) outboxRows.set(eventId, toOutboxRow(event, this.outbox.encoding, dialect, createdAt));
      }
      if (dialect === 'postgres' && rows.size <= maxRowsPerInsert(dialect)) {
        stored = await this.storeInOneStatement([...rows.values()], [...outboxRows.values()], committing);
      } else {
        // MySQL's default REPEATABLE READ would hide rows another transaction committed meanwhile from the final select.
        const config: Knex.TransactionConfig | undefined = dialect === 'mysql' ? { isolationLevel: 'read committed' } : undefined;
        stored = await this.knex.transaction(async (trx) => {
          const batch = await this.store(trx, dialect, [...rows.values()]);
          const queued = [...batch.created].map((eventId) => outboxRows.get(eventId)).filter((row) => row !== undefined);
          await insertOutboxRows(trx, queued, Math.floor(maxParametersPerStatement(dialect) / 3));
          committing();
          return batch;
        }, config);
      }
    } catch (error) {
      throw translateSqlError(error, { mayHaveCommitted });
    }
    if (this.outbox !== undefined && stored.created.size > 0) this.outbox.onWritten?.();

    const reported = new Set<string>();
    return events.map((event) => {
      const eventId = eventIdOf(event);
      const prospectId = stored.ids.get(eventId);
      if (prospectId === undefined) {
        throw new DatabaseError(`The database returned no row for event ${event.correlationId}.`);
      }
      const created = stored.created.has(eventId) && !reported.has(eventId);
      reported.add(eventId);
      return { correlationId: event.correlationId, prospectId, created };
    });
  }

  private async store(trx: Knex.Transaction, dialect: SqlDialect, rows: readonly ProspectRow[]): Promise<StoredBatch> {
    const eventIds = rows.map((row) => row.EventId as string);
    const created = new Set<string>();
    for (const batch of chunk(rows, maxRowsPerInsert(dialect))) {
      const batchIds = batch.map((row) => row.EventId as string);
      const existing = dialect === 'mysql' ? await this.findIds(trx, dialect, batchIds) : undefined;
      const result: unknown = await buildProspectInsert(trx, dialect, batch);
      const inserted = existing === undefined ? eventIdsReturned(result) : batchIds.filter((id) => !existing.has(id));
      for (const id of inserted) created.add(id);
    }
    return { created, ids: await this.findIds(trx, dialect, eventIds) };
  }

  /**
   * PostgreSQL: the insert is one statement, so it is its own transaction, and it returns the
   * `ProspectId` of every row it created; only events stored before need a select. With the
   * outbox, the same statement writes the outbox rows of the events it created.
   */
  private async storeInOneStatement(rows: readonly ProspectRow[], outboxRows: readonly OutboxRow[], sent: () => void): Promise<StoredBatch> {
    const statement = buildProspectInsert(this.knex, 'postgres', rows) as Knex.Raw;
    // knex emits 'query' on a connection it holds, right before sending: a failure before it saved nothing.
    const insert = (outboxRows.length === 0 ? statement : withPostgresOutbox(this.knex, statement, outboxRows)).on('query', sent);
    const result = await insert as { rows: { ProspectId: number | string; EventId: string }[] };
    const ids = new Map<string, number>();
    for (const row of result.rows) ids.set(String(row.EventId).toLowerCase(), Number(row.ProspectId));
    const created = new Set(ids.keys());
    const missing = rows.map((row) => row.EventId as string).filter((eventId) => !ids.has(eventId));
    if (missing.length > 0) {
      for (const [eventId, prospectId] of await this.findIds(this.knex, 'postgres', missing)) ids.set(eventId, prospectId);
    }
    return { created, ids };
  }

  private async findIds(trx: Knex, dialect: SqlDialect, eventIds: readonly string[]): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (const batch of chunk(eventIds, maxParametersPerStatement(dialect))) {
      const found = await trx('Prospects').select<{ ProspectId: number | string; EventId: string }[]>('ProspectId', 'EventId').whereIn('EventId', batch);
      for (const row of found) ids.set(String(row.EventId).toLowerCase(), Number(row.ProspectId));
    }
    return ids;
  }
}
