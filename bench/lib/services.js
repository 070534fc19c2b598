import { execFileSync } from 'node:child_process';
import process from 'node:process';
import { createKnex, migrateDatabase } from '@signup/adapters/sql';
import { findNatsServer, NatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase } from '@signup/test-support/postgres';
import pg from 'pg';

/**
 * Runs `action` with a private nats-server (JetStream, temp store) and a
 * throwaway PostgreSQL database, and removes both afterwards whatever happens.
 *
 * @template T
 * @param {(services: { nats: NatsServer, database: { url: string, name: string } }) => Promise<T>} action
 * @returns {Promise<T>}
 */
export async function withServices(action) {
  const nats = await NatsServer.start({ jetstream: true });
  let database;
  try {
    database = await createTestDatabase();
    return await action({ nats, database });
  } finally {
    await database?.drop().catch(() => undefined);
    await nats.stop();
  }
}

/**
 * Runs `action` with a throwaway PostgreSQL database, already migrated when `migrate` is set.
 *
 * @template T
 * @param {{ migrate?: boolean }} options
 * @param {(database: { url: string, name: string }) => Promise<T>} action
 * @returns {Promise<T>}
 */
export async function withDatabase({ migrate = false }, action) {
  const database = await createTestDatabase();
  try {
    if (migrate) {
      const knex = createKnex(database.url);
      try {
        await migrateDatabase(knex);
      } finally {
        await knex.destroy();
      }
    }
    return await action(database);
  } finally {
    await database.drop().catch(() => undefined);
  }
}

/** What the figures were measured on. */
export async function describeMachine() {
  const { cpus, totalmem, release } = await import('node:os');
  let natsServer = 'not found';
  const binary = findNatsServer();
  if (binary !== undefined) {
    try {
      natsServer = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      natsServer = 'unknown version';
    }
  }
  let postgres = 'unreachable';
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test' });
  try {
    await client.connect();
    const { rows } = await client.query('show server_version');
    postgres = `PostgreSQL ${rows[0].server_version}`;
  } catch {
    // reported as unreachable
  } finally {
    await client.end().catch(() => undefined);
  }
  const processors = cpus();
  return {
    cpus: processors.length,
    cpuModel: processors[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    natsServer,
    postgres,
  };
}
