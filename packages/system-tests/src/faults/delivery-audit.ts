import { createKnex } from '@signup/adapters/sql';
import { waitUntil } from '@signup/test-support/wait-until';

/** The four numbers every fault scenario prints. */
export interface DeliveryCounts {
  /** Sign-ups the web accepted (202, 201 or the thank-you redirect), counting retries once. */
  readonly accepted: number;
  /** Rows in the audited table (`Prospects`, or `ProspectIndex` for the index handler). */
  readonly saved: number;
  /** Rows beyond one per sign-up, whether under the same `EventId` or the same person under another one. */
  readonly duplicates: number;
  /** Messages in the dead-letter stream. */
  readonly deadLettered: number;
}

/** The counts and the correlation ids behind any difference. */
export interface DeliveryReport extends DeliveryCounts {
  /** Accepted sign-ups with no row. */
  readonly missing: readonly string[];
  /** Rows whose `EventId` the web never accepted. */
  readonly unexpected: readonly string[];
}

interface ProspectKey {
  readonly eventId: string;
  readonly emailAddress: string;
}

/** A table a handler writes one row per sign-up to, with `EventId` and `EmailAddress` columns. */
export type AuditedTable = 'Prospects' | 'ProspectIndex';

/**
 * Compares what the web accepted with what reached a handler's table (`Prospects` by
 * default; read straight from the database, never through a proxy the test cuts) and
 * with the dead-letter count it is given.
 */
export class DeliveryAudit {
  private readonly knex: ReturnType<typeof createKnex>;

  constructor(
    databaseUrl: string,
    private readonly countDeadLetters: () => Promise<number> = () => Promise.resolve(0),
    private readonly table: AuditedTable = 'Prospects',
  ) {
    this.knex = createKnex(databaseUrl);
  }

  /** `EventId` (lower case) and email address of every row. */
  async rows(): Promise<ProspectKey[]> {
    const rows = await this.knex(this.table).select<{ EventId: string; EmailAddress: string }[]>('EventId', 'EmailAddress');
    return rows.map((row) => ({ eventId: String(row.EventId).toLowerCase(), emailAddress: row.EmailAddress.toLowerCase() }));
  }

  /**
   * Resolves once every accepted correlation id has a row.
   *
   * @throws Error naming how many are missing when the deadline passes.
   */
  async waitForAll(accepted: ReadonlySet<string>, timeoutMs: number): Promise<void> {
    let missing = accepted.size;
    try {
      await waitUntil(async () => {
        const stored = new Set((await this.rows()).map((row) => row.eventId));
        missing = [...accepted].filter((id) => !stored.has(id)).length;
        return missing === 0;
      }, { timeoutMs, intervalMs: 500, description: `${accepted.size} accepted sign-ups in ${this.table}` });
    } catch (error) {
      throw new Error(`${missing} of ${accepted.size} accepted sign-ups not in ${this.table} within ${timeoutMs} ms`, { cause: error });
    }
  }

  /** Those of the correlation ids that have a row. */
  async storedAmong(correlationIds: readonly string[]): Promise<string[]> {
    const stored = new Set((await this.rows()).map((row) => row.eventId));
    return correlationIds.filter((id) => stored.has(id.toLowerCase()));
  }

  async report(accepted: ReadonlySet<string>): Promise<DeliveryReport> {
    const rows = await this.rows();
    const eventIds = new Set(rows.map((row) => row.eventId));
    const emailAddresses = new Set(rows.map((row) => row.emailAddress));
    return {
      accepted: accepted.size,
      saved: rows.length,
      duplicates: rows.length - Math.min(eventIds.size, emailAddresses.size),
      deadLettered: await this.countDeadLetters(),
      missing: [...accepted].filter((id) => !eventIds.has(id)),
      unexpected: [...eventIds].filter((id) => !accepted.has(id)),
    };
  }

  close(): Promise<void> {
    return this.knex.destroy();
  }
}

/** `scenario 1 (title): accepted=5000 saved=5000 duplicates=0 dead-lettered=0`, plus any extra figures. */
export function scenarioLine(scenario: string, counts: DeliveryCounts, extra: Readonly<Record<string, string | number>> = {}): string {
  const figures = [
    `accepted=${counts.accepted}`, `saved=${counts.saved}`, `duplicates=${counts.duplicates}`, `dead-lettered=${counts.deadLettered}`,
    ...Object.entries(extra).map(([key, value]) => `${key}=${value}`),
  ];
  return `scenario ${scenario}: ${figures.join(' ')}`;
}
