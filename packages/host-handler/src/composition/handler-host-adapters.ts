import { connectToMessageQueue, createNatsMessaging, resetJetStreamConsumer } from '@signup/adapters/nats';
import { createKnex, migrateDatabase, SqlHealthCheck } from '@signup/adapters/sql';
import type { IHealthCheck } from '@signup/domain';
import { MonitoringServer, type MonitoringServerOptions } from '../monitoring/monitoring-server.js';

/** The I/O the handler host opens, replaceable in tests. */
export interface HandlerHostAdapters {
  readonly createKnex: typeof createKnex;
  readonly migrateDatabase: typeof migrateDatabase;
  readonly createDatabaseHealthCheck: (knex: ReturnType<typeof createKnex>) => IHealthCheck;
  readonly connectToMessageQueue: typeof connectToMessageQueue;
  readonly createNatsMessaging: typeof createNatsMessaging;
  readonly resetConsumer: typeof resetJetStreamConsumer;
  readonly createMonitoringServer: (options: MonitoringServerOptions) => Pick<MonitoringServer, 'start' | 'close'>;
}

/** The real adapters. */
export const defaultHandlerHostAdapters: HandlerHostAdapters = {
  createKnex, migrateDatabase, createDatabaseHealthCheck: (knex) => new SqlHealthCheck(knex),
  connectToMessageQueue, createNatsMessaging, resetConsumer: resetJetStreamConsumer, createMonitoringServer: (options) => new MonitoringServer(options),
};
