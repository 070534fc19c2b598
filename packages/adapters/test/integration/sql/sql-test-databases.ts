import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, requirePostgres } from '@signup/test-support/postgres';
import type { Context } from 'mocha';
import type { Knex } from 'knex';
import { createKnex, migrateDatabase, type CreateKnexOptions } from '../../../src/sql/index.js';

/** A database made for one suite, reachable through `connectionString`. */
export interface ScratchDatabase {
  readonly connectionString: string;
  /** Opens another knex instance on the database; `dispose()` destroys it. */
  open(options?: CreateKnexOptions): Knex;
  /** Destroys every knex instance opened and removes the database. */
  dispose(): Promise<void>;
}

function scratch(connectionString: string, remove: () => Promise<void>): ScratchDatabase {
  const opened: Knex[] = [];
  return {
    connectionString,
    open(options) {
      const knex = createKnex(connectionString, options);
      opened.push(knex);
      return knex;
    },
    async dispose() {
      await Promise.all(opened.map((knex) => knex.destroy()));
      await remove();
    },
  };
}

/** A SQLite file in a fresh temporary folder (the file's own folder does not exist yet). */
export async function createSqliteDatabase(): Promise<ScratchDatabase & { readonly folder: string; readonly file: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'signup-sql-'));
  const file = join(folder, 'data', 'signup.db');
  return { ...scratch(`sqlite:${file}`, () => rm(folder, { recursive: true, force: true })), folder, file };
}

/** A throwaway PostgreSQL database; call `requirePostgres` first. */
export async function createPostgresDatabase(): Promise<ScratchDatabase> {
  const database = await createTestDatabase();
  return scratch(database.url, () => database.drop());
}

const MYSQL_ADMIN_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Skips the suite with one line when MariaDB/MySQL is not reachable (optional locally and in CI). */
export async function requireMySql(ctx: Context): Promise<void> {
  const knex = createKnex(MYSQL_ADMIN_URL, { poolMax: 1 });
  try {
    await knex.raw('select 1');
  } catch {
    console.log(`      MySQL/MariaDB not reachable at ${MYSQL_ADMIN_URL}; install mariadb-server or set MYSQL_URL to run these tests`);
    ctx.skip();
  } finally {
    await knex.destroy();
  }
}

/** A throwaway MySQL/MariaDB database; call `requireMySql` first. */
export async function createMySqlDatabase(): Promise<ScratchDatabase> {
  const name = `signup_test_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  const admin = createKnex(MYSQL_ADMIN_URL, { poolMax: 1 });
  try {
    await admin.raw(`create database \`${name}\` character set utf8mb4`);
  } finally {
    await admin.destroy();
  }
  const url = new URL(MYSQL_ADMIN_URL);
  url.pathname = `/${name}`;
  return scratch(url.href, async () => {
    const dropper = createKnex(MYSQL_ADMIN_URL, { poolMax: 1 });
    try {
      await dropper.raw(`drop database if exists \`${name}\``);
    } finally {
      await dropper.destroy();
    }
  });
}

/** Opens and migrates a database. */
export async function openMigrated(database: ScratchDatabase, options?: CreateKnexOptions): Promise<Knex> {
  const knex = database.open(options);
  await migrateDatabase(knex);
  return knex;
}

/** How many `Prospects` rows carry this correlation id. */
export function rowCounter(knex: Knex): (correlationId: string) => Promise<number> {
  return async (correlationId) => {
    const [row] = await knex('Prospects').where('EventId', correlationId.toLowerCase()).count<{ n: number | string }[]>({ n: '*' });
    return Number(row?.n ?? 0);
  };
}

/** A database server the SQL suites run against: how to check it is there, and how to make a scratch database on it. */
export interface SqlBackend {
  readonly name: string;
  /** Skips the suite with one line when the server is not reachable. */
  readonly require?: (ctx: Context) => Promise<void>;
  readonly create: () => Promise<ScratchDatabase>;
}

/** Every dialect with a server on this machine: SQLite (embedded), PostgreSQL, MariaDB/MySQL. */
export const SQL_BACKENDS: readonly SqlBackend[] = [
  { name: 'SQLite', create: createSqliteDatabase },
  { name: 'PostgreSQL', require: requirePostgres, create: createPostgresDatabase },
  { name: 'MariaDB', require: requireMySql, create: createMySqlDatabase },
];
