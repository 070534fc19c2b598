import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseError, DatabaseUnavailableError, type SignUpError } from '@signup/domain';
import type { Knex } from 'knex';
import { SIGNUP_MIGRATIONS_TABLE, SignUpMigrationSource } from './migrations/index.js';
import { seedReferenceData } from './seed-reference-data.js';
import { translateSqlError } from './translate-sql-error.js';

/** How `migrateDatabase` waits for another process that is migrating the same database. */
export interface MigrateDatabaseOptions {
  /** Pauses between attempts when another process holds the lock or won a race; about 12 s in all by default. */
  readonly retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [50, 100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000];

type RaceKind = 'exists' | 'contention';

const EXISTS_MESSAGE = /already exists|there is already an object named|duplicate key/i;
const EXISTS_CODES = new Set(['23505', '42P07', '42710', 'ER_TABLE_EXISTS_ERROR', 'ER_DUP_ENTRY', 'ER_DUP_KEYNAME']);
const EXISTS_NUMBERS = new Set([2627, 2714]);
const CONTENTION_MESSAGE = /already locked|database is locked|deadlock|lock wait timeout|could not serialize/i;
const CONTENTION_CODES = new Set([
  'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE',
  '40P01', '40001', '55P03', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT',
]);
const CONTENTION_NUMBERS = new Set([1205, 1222]);

/** How many times an "already exists" failure is retried: a race resolves at once, a foreign table never does. */
const EXISTS_ATTEMPTS = 3;

/**
 * Whether the failure comes from another process migrating at the same time:
 * knex's migration lock is held or SQLite was busy (`contention`), or both
 * created the same table at once (`exists`, which could also mean tables SignUp
 * did not create).
 */
function raceKindOf(error: unknown): RaceKind | undefined {
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 10; depth += 1) {
    const e = current as { name?: unknown; code?: unknown; number?: unknown; message?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    const number = typeof e.number === 'number' ? e.number : NaN;
    const message = typeof e.message === 'string' ? e.message : '';
    if (e.name === 'MigrationLocked' || CONTENTION_CODES.has(code) || CONTENTION_NUMBERS.has(number) || CONTENTION_MESSAGE.test(message)) {
      return 'contention';
    }
    if (EXISTS_CODES.has(code) || EXISTS_NUMBERS.has(number) || EXISTS_MESSAGE.test(message)) return 'exists';
    current = e.cause;
  }
  return undefined;
}

/**
 * Two processes that create the lock table at the same moment may each insert a
 * lock row; with two rows knex can never take the lock again. Keep the first.
 */
async function removeDuplicateLockRows(knex: Knex): Promise<void> {
  const lockTable = `${SIGNUP_MIGRATIONS_TABLE}_lock`;
  if (!(await knex.schema.hasTable(lockTable))) return;
  const rows = await knex(lockTable).select<{ index: number }[]>('index').orderBy('index');
  const first = rows[0];
  if (rows.length > 1 && first !== undefined) await knex(lockTable).where('index', '>', first.index).del();
}

function finalError(kind: RaceKind, error: unknown): SignUpError {
  const translated = translateSqlError(error);
  if (translated instanceof DatabaseUnavailableError) return translated;
  if (kind === 'exists') {
    return new DatabaseError(
      `Could not migrate the database: a table SignUp creates already exists but is not recorded in ${SIGNUP_MIGRATIONS_TABLE} `
      + '(a schema made by something else?). Use an empty database, or remove the tables SignUp did not create.',
      { cause: error },
    );
  }
  return new DatabaseUnavailableError(
    'Could not migrate the database: another process kept the migration lock. If no other process is migrating, '
    + `release it with: UPDATE ${SIGNUP_MIGRATIONS_TABLE}_lock SET is_locked = 0`,
    { cause: error },
  );
}

/**
 * Brings the database to the current schema (docs/architecture.md, "The database schema") with the migrations
 * compiled into this package, then upserts the reference data. Idempotent. When
 * several processes start at once, knex's migration lock lets one migrate while
 * the others wait and retry (about 12 s at most); whoever comes second finds the
 * work done.
 *
 * @throws DatabaseUnavailableError when the database cannot be reached, or the migration lock stays taken.
 * @throws DatabaseError when a migration fails for another reason, such as tables
 *   of the same names that SignUp did not create.
 */
export async function migrateDatabase(knex: Knex, options: MigrateDatabaseOptions = {}): Promise<void> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  let existsFailures = 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      await knex.migrate.latest({ migrationSource: new SignUpMigrationSource(), tableName: SIGNUP_MIGRATIONS_TABLE });
      await seedReferenceData(knex);
      return;
    } catch (error) {
      const kind = raceKindOf(error);
      if (kind === undefined) throw translateSqlError(error);
      existsFailures += kind === 'exists' ? 1 : 0;
      const delay = delays[attempt];
      if (delay === undefined || existsFailures >= EXISTS_ATTEMPTS) throw finalError(kind, error);
      await removeDuplicateLockRows(knex).catch(() => undefined);
      await sleep(delay + Math.floor(Math.random() * delay));
    }
  }
}
