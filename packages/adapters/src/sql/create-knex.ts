import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type ILogger } from '@signup/domain';
import { ConfigurationError } from '../config/configuration-error.js';
import knexFactory, { type Knex } from 'knex';
import { CONNECTION_STRING_KEY, parseConnectionString, type ParsedConnectionString } from './connection-string.js';

/** Timeouts and pool size of the knex instance `createKnex` opens. */
export interface CreateKnexOptions {
  /**
   * How long a query waits for a pooled connection (including opening one) before
   * failing with `DatabaseUnavailableError`. Default 2000 ms.
   */
  readonly acquireTimeoutMs?: number;
  /**
   * How long one statement may run: PostgreSQL `statement_timeout`, SQL Server's
   * request timeout, MySQL's lock wait timeout, SQLite's busy timeout. Default 5000 ms.
   */
  readonly statementTimeoutMs?: number;
  /** Largest number of open connections. Default 10 (SQLite: always 1). */
  readonly poolMax?: number;
  /** Receives knex's own warnings (as debug lines); they are dropped without one. */
  readonly logger?: ILogger;
  /** The configuration key the connection string came from, named in errors. Default `ConnectionStrings:SignUpDb`. */
  readonly connectionStringKey?: string;
}

/** Acquire timeout used when none is given: short, so a dead database fails fast instead of hanging. */
export const DEFAULT_ACQUIRE_TIMEOUT_MS = 2000;
/** Statement timeout used when none is given; with the acquire timeout it stays far below a 30 s ack wait. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
const DEFAULT_POOL_MAX = 10;

type AfterCreate = (connection: unknown, done: (error: Error | null, connection: unknown) => void) => void;

interface BetterSqliteDatabase {
  pragma(source: string): unknown;
}

interface MySqlRawConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}

function ensureFolder(filename: string, key: string): void {
  if (filename === ':memory:' || filename === '' || filename.startsWith('file:')) return;
  const folder = dirname(resolve(filename));
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new ConfigurationError(
      key,
      `${key}: cannot create the folder "${folder}" for the SQLite database (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      { cause: error },
    );
  }
}

function sqliteAfterCreate(busyTimeoutMs: number): AfterCreate {
  return (connection, done) => {
    try {
      const database = connection as BetterSqliteDatabase;
      database.pragma(`busy_timeout = ${busyTimeoutMs}`);
      database.pragma('journal_mode = WAL');
      database.pragma('foreign_keys = ON');
      done(null, connection);
    } catch (error) {
      done(error as Error, connection);
    }
  };
}

function mySqlAfterCreate(statementTimeoutMs: number): AfterCreate {
  const seconds = Math.max(1, Math.ceil(statementTimeoutMs / 1000));
  return (connection, done) => {
    (connection as MySqlRawConnection).query(`SET SESSION innodb_lock_wait_timeout = ${seconds}`, (error) => {
      done(error, connection);
    });
  };
}

function toKnexConfig(parsed: ParsedConnectionString, acquireMs: number, statementMs: number, poolMax: number): Knex.Config {
  const pool: Knex.PoolConfig = {
    min: 0,
    max: poolMax,
    acquireTimeoutMillis: acquireMs,
    createTimeoutMillis: acquireMs,
    idleTimeoutMillis: 30_000,
    propagateCreateError: true,
  };
  switch (parsed.client) {
    case 'better-sqlite3':
      // One connection: SQLite has one writer, and an in-memory database lives only as long as its connection.
      return {
        client: 'better-sqlite3',
        connection: { filename: parsed.connection.filename },
        useNullAsDefault: true,
        pool: { ...pool, min: 1, max: 1, afterCreate: sqliteAfterCreate(statementMs) },
      };
    case 'pg':
      return {
        client: 'pg',
        connection: {
          connectionString: parsed.connection.connectionString,
          connectionTimeoutMillis: acquireMs,
          statement_timeout: statementMs,
          query_timeout: statementMs + 1000,
          application_name: 'signup',
          keepAlive: true,
        },
        pool,
      };
    case 'mysql2':
      return {
        client: 'mysql2',
        connection: {
          ...parsed.connection,
          connectTimeout: acquireMs,
          timezone: 'Z',
          charset: 'utf8mb4',
          supportBigNumbers: true,
        },
        pool: { ...pool, afterCreate: mySqlAfterCreate(statementMs) },
      };
    case 'mssql':
      return {
        client: 'mssql',
        connection: {
          server: parsed.connection.server,
          ...(parsed.connection.port === undefined ? {} : { port: parsed.connection.port }),
          ...(parsed.connection.user === undefined ? {} : { user: parsed.connection.user }),
          ...(parsed.connection.password === undefined ? {} : { password: parsed.connection.password }),
          database: parsed.connection.database ?? 'master',
          encrypt: parsed.connection.options.encrypt,
          connectionTimeout: acquireMs,
          requestTimeout: statementMs,
          options: { ...parsed.connection.options, useUTC: true },
        } as Knex.MsSqlConnectionConfig,
        pool,
      };
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds, not ${value}.`);
  return value;
}

/**
 * Opens a knex instance for a `ConnectionStrings:SignUpDb` (or `ConnectionStrings:AnalyticsDb`) value. No connection is
 * made until the first query (for SQLite only the file's folder is created). The
 * pool waits at most `acquireTimeoutMs` for a connection and statements are
 * bounded by `statementTimeoutMs` where the dialect allows, so a database that is
 * down or stuck fails fast with `DatabaseUnavailableError` (through
 * `translateSqlError`) rather than outliving a message's ack wait. SQLite runs in
 * WAL mode with foreign keys enforced and a busy timeout. Times are stored in UTC.
 * The caller destroys the instance (`knex.destroy()`).
 *
 * @throws ConfigurationError for a malformed connection string, or a SQLite folder that cannot be created.
 */
export function createKnex(connectionString: string, options: CreateKnexOptions = {}): Knex {
  const key = options.connectionStringKey ?? CONNECTION_STRING_KEY;
  const parsed = parseConnectionString(connectionString, key);
  const acquireMs = positive('acquireTimeoutMs', options.acquireTimeoutMs, DEFAULT_ACQUIRE_TIMEOUT_MS);
  const statementMs = positive('statementTimeoutMs', options.statementTimeoutMs, DEFAULT_STATEMENT_TIMEOUT_MS);
  const poolMax = Math.floor(positive('poolMax', options.poolMax, DEFAULT_POOL_MAX));
  if (parsed.client === 'better-sqlite3') ensureFolder(parsed.connection.filename, key);
  const { logger } = options;
  const forward = (message: unknown): void => logger?.debug(`knex: ${String(message)}`);
  return knexFactory({
    ...toKnexConfig(parsed, acquireMs, statementMs, poolMax),
    log: { warn: forward, error: forward, deprecate: (method: string, alternative: string) => forward(`${method} is deprecated, use ${alternative}`), debug: forward },
  });
}
