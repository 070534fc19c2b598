import type { Knex } from 'knex';
import { sqlDialectOf } from '../sql-dialect.js';
import { EVENT_ID_LENGTH } from './create-sign-up-schema.js';
import type { SignUpMigration } from './sign-up-migration.js';

/** The transactional outbox of the synchronous save (docs/reliability.md, "The outbox"). */
export const PROSPECT_OUTBOX_TABLE = 'ProspectOutbox';

/**
 * Adds `ProspectOutbox` to a schema builder: one row per event the synchronous save stored and the relay
 * has not published yet. `OutboxId` orders the rows (oldest first), `EventId` is the
 * event's correlation id (unique already through `Prospects`, whose insert alone writes a row
 * here; no second index, so a relay's delete locks nothing but the rows it claimed), `Payload` the event exactly as the
 * publisher sends it (bytes: UTF-8 or UTF-16LE by `MessageQueue:Encoding`; a binary column
 * on every dialect, so SQL Server's `nvarchar` limits never apply) and `CreatedAt` when the
 * save wrote it (UTC).
 */
export function createProspectOutboxTable(knex: Knex, schema: Knex.SchemaBuilder = knex.schema): Knex.SchemaBuilder {
  const dialect = sqlDialectOf(knex);
  return schema.createTable(PROSPECT_OUTBOX_TABLE, (table) => {
    if (dialect === 'mysql') table.charset('utf8mb4');
    table.bigIncrements('OutboxId', { primaryKey: true });
    table.string('EventId', EVENT_ID_LENGTH).notNullable();
    // MySQL's plain `blob` holds 64 KiB, enough: the largest valid event is under 4 KiB even as UTF-16.
    table.binary('Payload').notNullable();
    table.datetime('CreatedAt', { precision: 3 }).notNullable();
  });
}

/** The migration that adds `ProspectOutbox`. */
export const createProspectOutboxTableMigration: SignUpMigration = {
  name: '20261206000000_create_prospect_outbox_table',
  async up(knex: Knex): Promise<void> {
    await createProspectOutboxTable(knex);
  },
  async down(knex: Knex): Promise<void> {
    await knex.schema.dropTable(PROSPECT_OUTBOX_TABLE);
  },
};
