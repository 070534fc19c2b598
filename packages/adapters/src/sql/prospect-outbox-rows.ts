import type { ProspectSignedUpEvent } from '@signup/domain';
import type { Knex } from 'knex';
import type { MessageEncoding } from '../config/index.js';
import { encodeProspectSignedUpEvent } from '../nats/prospect-signed-up-codec.js';
import { PROSPECT_OUTBOX_TABLE } from './migrations/create-prospect-outbox-table.js';
import { eventIdOf } from './prospect-insert.js';
import type { SqlDialect } from './sql-dialect.js';

/**
 * What makes `SqlProspectRepository` write the transactional outbox (docs/reliability.md,
 * "The outbox"): how the events are encoded (`MessageQueue:Encoding`, so a row holds the
 * bytes the publisher sends) and whom to tell once rows were committed (the relay, which
 * then publishes at once instead of at its next poll).
 */
export interface ProspectOutboxOptions {
  readonly encoding: MessageEncoding;
  /** Called after a commit that wrote outbox rows. */
  readonly onWritten?: () => void;
}

/** One `ProspectOutbox` row as bound to a statement. */
export interface OutboxRow {
  readonly EventId: string;
  readonly Payload: Buffer;
  readonly CreatedAt: Date | string;
}

/** The outbox row of an event: its `EventId`, its encoded bytes and the time (ISO text on SQLite, as `Prospects`). */
export function toOutboxRow(event: ProspectSignedUpEvent, encoding: MessageEncoding, dialect: SqlDialect, createdAt: Date): OutboxRow {
  const bytes = encodeProspectSignedUpEvent(event, encoding);
  return {
    EventId: eventIdOf(event),
    Payload: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    CreatedAt: dialect === 'sqlite' ? createdAt.toISOString() : createdAt,
  };
}

/** Inserts outbox rows (a few hundred at most per call: the rows a batch created). */
export async function insertOutboxRows(trx: Knex, rows: readonly OutboxRow[], maxRows: number): Promise<void> {
  for (let i = 0; i < rows.length; i += maxRows) {
    await trx(PROSPECT_OUTBOX_TABLE).insert(rows.slice(i, i + maxRows));
  }
}

/**
 * PostgreSQL: wraps the `Prospects` insert (which returns `ProspectId` and `EventId` of the
 * rows it created) so the same statement writes the outbox rows of exactly those events.
 * One statement is one transaction: both rows are stored or neither.
 */
export function withPostgresOutbox(knex: Knex, insert: Knex.Raw, rows: readonly OutboxRow[]): Knex.Raw {
  const { sql, bindings } = insert.toSQL();
  const table = `"${PROSPECT_OUTBOX_TABLE}" ("EventId", "Payload", "CreatedAt")`;
  const [single] = rows;
  // The web saves one sign-up at a time: its payload is bound as it is, with no arrays to unnest and join.
  const queued = rows.length === 1 && single !== undefined
    ? { sql: `insert into ${table} select "EventId", ?::bytea, ?::timestamptz from "inserted"`, bindings: [single.Payload, single.CreatedAt] }
    : {
      sql: `insert into ${table} select "o"."EventId", "o"."Payload", "o"."CreatedAt" `
        + 'from unnest(?::text[], ?::bytea[], ?::timestamptz[]) as "o" ("EventId", "Payload", "CreatedAt") join "inserted" as "i" on "i"."EventId" = "o"."EventId"',
      bindings: [rows.map((row) => row.EventId), rows.map((row) => row.Payload), rows.map((row) => row.CreatedAt)],
    };
  return knex.raw(
    `with "inserted" as (${sql}), "queued" as (${queued.sql}) select "ProspectId", "EventId" from "inserted"`,
    [...bindings, ...queued.bindings] as unknown as Knex.RawBinding[],
  );
}
