import 'reflect-metadata';
import process from 'node:process';
import { ConsoleLogger } from '@signup/adapters/logging';
import { connectToMessageQueue, createNatsMessaging } from '@signup/adapters/nats';
import {
  createKnex, DatabaseReferenceDataLoader, migrateDatabase, SqlProspectRepository, translateSqlError,
} from '@signup/adapters/sql';
import { CachingReferenceDataLoader, SaveProspectEventHandler } from '@signup/domain';

// What-if: the save handler's own classes composed as signup-handler composes
// them, with the subscriber's batch size (BENCH_BATCH_SIZE), the log level
// (Logging__LogLevel) and, with BENCH_UNNEST_INSERT=1, a repository that stores
// a batch with one `insert ... select from unnest(...) returning` statement, to
// measure what changing those would give.

const UNNEST_INSERT = `insert into "Prospects" ("FirstName", "LastName", "CompanyName", "EmailAddress", "CountryCode", "RoleCode", "SignedUpAt", "EventId")
  select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[])
  on conflict ("EventId") do nothing returning "ProspectId", "EventId"`;

/** `SqlProspectRepository` with `saveMany` as one statement per batch (PostgreSQL only). */
class UnnestProspectRepository extends SqlProspectRepository {
  constructor(knex) {
    super(knex);
    this.db = knex;
  }

  async saveMany(events) {
    if (events.length === 0) return [];
    const eventIds = events.map((event) => event.correlationId.toLowerCase());
    const column = (pick) => events.map(pick);
    let rows;
    try {
      ({ rows } = await this.db.raw(UNNEST_INSERT, [
        column((e) => e.prospect.firstName), column((e) => e.prospect.lastName), column((e) => e.prospect.companyName ?? ''),
        column((e) => e.prospect.emailAddress), column((e) => e.prospect.country.countryCode), column((e) => e.prospect.role.roleCode),
        column((e) => new Date(e.signedUpAt).toISOString()), eventIds,
      ]));
    } catch (error) {
      throw translateSqlError(error);
    }
    const ids = new Map(rows.map((row) => [row.EventId, Number(row.ProspectId)]));
    const created = new Set(ids.keys());
    const missing = eventIds.filter((id) => !ids.has(id));
    if (missing.length > 0) {
      const found = await this.db('Prospects').select('ProspectId', 'EventId').whereIn('EventId', missing).catch((error) => {
        throw translateSqlError(error);
      });
      for (const row of found) ids.set(row.EventId, Number(row.ProspectId));
    }
    const reported = new Set();
    return events.map((event, index) => {
      const eventId = eventIds[index];
      const saved = { correlationId: event.correlationId, prospectId: ids.get(eventId), created: created.has(eventId) && !reported.has(eventId) };
      reported.add(eventId);
      return saved;
    });
  }
}

const logger = new ConsoleLogger({ name: 'what-if-save-handler', level: process.env.Logging__LogLevel ?? 'info' });
const knex = createKnex(process.env.ConnectionStrings__SignUpDb);
await migrateDatabase(knex);
const url = process.env.MessageQueue__Url;
const nc = await connectToMessageQueue({ url, servers: [url], mode: 'jetstream' }, logger);
const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? 100);
const messaging = await createNatsMessaging(nc, { mode: 'jetstream' }, logger, { subscriber: { batchSize } });
const repository = process.env.BENCH_UNNEST_INSERT === '1' ? new UnnestProspectRepository(knex) : new SqlProspectRepository(knex);
const handler = new SaveProspectEventHandler(repository, new CachingReferenceDataLoader(new DatabaseReferenceDataLoader(knex)), logger);
const subscription = await messaging.subscriber.subscribe(handler);
process.stdout.write(`Listening on subject: events.prospect.signedup, queue: ${handler.name} (batch ${batchSize})\n`);

const shutdown = async () => {
  await subscription.stop();
  await nc.drain();
  await knex.destroy();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
