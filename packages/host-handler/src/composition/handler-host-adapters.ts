import { connectToMessageQueue, createNatsMessaging, JetStreamConsumerLag, resetJetStreamConsumer, type JetStreamConsumerLagOptions, type NatsConnection } from '@signup/adapters/nats';
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
  readonly createConsumerLag: (nc: NatsConnection, options: JetStreamConsumerLagOptions) => Pick<JetStreamConsumerLag, 'start' | 'stop'>;
}

/** The real adapters. */
export const defaultHandlerHostAdapters: HandlerHostAdapters = {
  createKnex, migrateDatabase, createDatabaseHealthCheck: (knex) => new SqlHealthCheck(knex),
  connectToMessageQueue, createNatsMessaging, resetConsumer: resetJetStreamConsumer, createMonitoringServer: (options) => new MonitoringServer(options),
  createConsumerLag: (nc, options) => new JetStreamConsumerLag(nc, options),
};
