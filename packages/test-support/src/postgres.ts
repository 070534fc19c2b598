import { randomBytes } from 'node:crypto';
import type { Context } from 'mocha';
import pg from 'pg';

/** The server tests use: `DATABASE_URL`, else a local trust-auth PostgreSQL. */
export const DEFAULT_DATABASE_URL = 'postgres://root@127.0.0.1:5432/test';

/** A database made for one test suite. */
export interface TestDatabase {
  /** Connection URL of the new database (same server and credentials as `DATABASE_URL`). */
  readonly url: string;
  readonly name: string;
  /** Drops the database, closing any connection still open to it. Safe to call twice. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

function masked(url: string): string {
  try {
    const copy = new URL(url);
    if (copy.password !== '') copy.password = '***';
    return copy.href;
  } catch {
    return '(malformed DATABASE_URL)';
  }
}

async function withAdmin<T>(action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(), connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a throwaway database on the `DATABASE_URL` server (default
 * `postgres://root@127.0.0.1:5432/test`) with a unique name, and returns its URL
 * and a `drop()` that removes it `WITH (FORCE)`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `signup_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.href,
    name,
    async drop(): Promise<void> {
      if (dropped) return;
      dropped = true;
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/**
 * Skips the calling suite (after printing one line saying what to do) when
 * PostgreSQL is not reachable at `DATABASE_URL`; when `CI` is set it throws
 * instead, so a CI run cannot pass by skipping. Call from a `before` hook.
 */
export async function requirePostgres(ctx: Context): Promise<void> {
  try {
    await withAdmin((client) => client.query('select 1'));
  } catch (error) {
    const line = `PostgreSQL not reachable at ${masked(adminUrl())}; install it (apt-get install postgresql) or set DATABASE_URL`;
    if (process.env.CI) throw new Error(line, { cause: error });
    console.log(`      ${line}`);
    ctx.skip();
  }
}
