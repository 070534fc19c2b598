import type { AnalyticsFilter, AnalyticsSummary, IndexedProspect } from '@signup/domain';
import { createKnex, SqlProspectIndex } from '@signup/adapters/sql';
import { waitUntil } from '@signup/test-support/wait-until';

/**
 * Reads the analytics read model (`ProspectIndex`) the index handler writes, straight
 * from the database: its rows, and the dashboard's summary through the real store.
 */
export class ProspectIndexTable {
  private readonly knex: ReturnType<typeof createKnex>;
  private readonly store: SqlProspectIndex;

  constructor(connectionString: string) {
    this.knex = createKnex(connectionString);
    this.store = new SqlProspectIndex(this.knex);
  }

  async count(): Promise<number> {
    const [row] = await this.knex('ProspectIndex').count<{ count: string | number }[]>({ count: '*' });
    return Number(row?.count ?? 0);
  }

  /** The `EventId` of every row, one entry per row. */
  async eventIds(): Promise<string[]> {
    const rows = await this.knex('ProspectIndex').select<{ EventId: string }[]>('EventId');
    return rows.map((row) => String(row.EventId).toLowerCase());
  }

  /** What `GET /api/analytics/summary` answers, from the same store. */
  summary(filter: AnalyticsFilter = {}): Promise<AnalyticsSummary> {
    return this.store.summary(filter);
  }

  /** Writes documents as the index handler would (for a test that needs a row the stream does not hold). */
  async indexMany(documents: readonly IndexedProspect[]): Promise<void> {
    await this.store.indexMany(documents);
  }

  /** Resolves once the table holds at least `count` rows. */
  waitForCount(count: number, timeoutMs = 60_000, intervalMs = 200): Promise<number> {
    return waitUntil(async () => {
      const current = await this.count();
      return current >= count ? current : undefined;
    }, { timeoutMs, intervalMs, description: `${count} rows in ProspectIndex` });
  }

  close(): Promise<void> {
    return this.knex.destroy();
  }
}
