import { createKnex } from '@signup/adapters/sql';
import { waitUntil } from '@signup/test-support/wait-until';

/** One stored prospect, as the tests look at it. */
export interface ProspectRow {
  readonly prospectId: number;
  readonly eventId: string;
  readonly emailAddress: string;
  readonly roleCode: string;
}

/** Reads the `Prospects` table the hosts write to, straight from the database. */
export class ProspectsTable {
  private readonly knex: ReturnType<typeof createKnex>;

  constructor(connectionString: string) {
    this.knex = createKnex(connectionString);
  }

  async count(): Promise<number> {
    const [row] = await this.knex('Prospects').count<{ count: string | number }[]>({ count: '*' });
    return Number(row?.count ?? 0);
  }

  /** The `EventId` of every row, one entry per row (duplicates would show twice). */
  async eventIds(): Promise<string[]> {
    const rows = await this.knex('Prospects').select<{ EventId: string }[]>('EventId');
    return rows.map((row) => String(row.EventId).toLowerCase());
  }

  async rowsFor(eventId: string): Promise<ProspectRow[]> {
    const rows = await this.knex('Prospects')
      .where('EventId', eventId)
      .select<{ ProspectId: number; EventId: string; EmailAddress: string; RoleCode: string }[]>('ProspectId', 'EventId', 'EmailAddress', 'RoleCode');
    return rows.map((row) => ({ prospectId: Number(row.ProspectId), eventId: row.EventId, emailAddress: row.EmailAddress, roleCode: row.RoleCode }));
  }

  /** Resolves once the table holds at least `count` rows; polls with a generous deadline. */
  async waitForCount(count: number, timeoutMs = 60_000, intervalMs = 200): Promise<number> {
    return waitUntil(async () => {
      const current = await this.count();
      return current >= count ? current : undefined;
    }, { timeoutMs, intervalMs, description: `${count} rows in Prospects` });
  }

  /** Resolves once a row with this `EventId` exists. */
  async waitForEvent(eventId: string, timeoutMs = 30_000): Promise<ProspectRow[]> {
    return waitUntil(async () => {
      const rows = await this.rowsFor(eventId);
      return rows.length > 0 ? rows : undefined;
    }, { timeoutMs, intervalMs: 100, description: `the prospect of event ${eventId}` });
  }

  close(): Promise<void> {
    return this.knex.destroy();
  }
}
