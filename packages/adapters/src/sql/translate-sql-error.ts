import {
  DatabaseError, DatabaseUnavailableError, ProspectNotStorableError, SignUpError, UnknownReferenceCodeError, type ReferenceCodeField,
} from '@signup/domain';

interface DriverError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly number?: unknown;
  readonly constraint?: unknown;
  readonly cause?: unknown;
  readonly originalError?: unknown;
  readonly errors?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EPIPE', 'EADDRNOTAVAIL', 'ESOCKET', 'ETIMEOUT', 'ELOGIN',
  'EINSTLOOKUP', 'ECONNCLOSED', 'ECLOSE', 'ENOCONN',
]);

const MYSQL_UNAVAILABLE_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR', 'ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR',
  'ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', 'ER_QUERY_TIMEOUT', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_INTERRUPTED',
  'ER_SERVER_SHUTDOWN', 'ER_NORMAL_SHUTDOWN', 'ER_OPTION_PREVENTS_STATEMENT', 'ER_SERVER_OFFLINE_MODE',
  'ER_READ_ONLY_MODE', 'ER_RECORD_FILE_FULL', 'ER_OUT_OF_RESOURCES', 'ER_CANT_CREATE_THREAD',
]);

const MYSQL_DATA_CODES = new Set([
  'ER_DATA_TOO_LONG', 'ER_TRUNCATED_WRONG_VALUE', 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', 'ER_BAD_NULL_ERROR',
  'ER_WARN_DATA_OUT_OF_RANGE', 'ER_INVALID_CHARACTER_STRING', 'ER_CHECK_CONSTRAINT_VIOLATED',
]);

// SQL Server error numbers: deadlock, cannot open database, login failed, invalid object or column name,
// and the transient errors Azure SQL documents.
const MSSQL_UNAVAILABLE_NUMBERS = new Set([
  -2, 20, 64, 233, 207, 208, 1205, 1222, 4060, 4221, 10053, 10054, 10060, 10061, 10928, 10929, 18456,
  40143, 40197, 40501, 40540, 40613, 42108, 42109, 49918, 49919, 49920,
]);

const MSSQL_DATA_NUMBERS = new Set([241, 242, 245, 515, 2628, 547, 8114, 8115, 8152]);

/** A case-insensitive pattern matching any of `texts` literally. */
function anyOf(texts: readonly string[]): RegExp {
  return new RegExp(texts.map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
}

const UNAVAILABLE_MESSAGE = anyOf([
  'Timeout acquiring a connection', 'Unable to acquire a connection', 'Connection terminated',
  'timeout exceeded when trying to connect', 'Query read timeout', 'Client has encountered a connection error',
  'server closed the connection', 'Connection lost', 'The database connection is not open',
  'Defined query timeout of', 'Failed to connect to', 'Connection is closed', 'Cannot enqueue',
  'no such table', 'no such column', 'could not connect to server',
]);

function asDriverError(value: unknown): DriverError | undefined {
  return typeof value === 'object' && value !== null ? (value) : undefined;
}

/** The error and everything it wraps: `cause`, mssql's `originalError`, an AggregateError's `errors`. */
function chainOf(error: unknown): DriverError[] {
  const chain: DriverError[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 20) {
    const current = asDriverError(pending.shift());
    if (current === undefined || chain.includes(current)) continue;
    chain.push(current);
    pending.push(current.cause, current.originalError);
    if (Array.isArray(current.errors)) pending.push(...(current.errors as unknown[]));
  }
  return chain;
}

/**
 * Whether the database rolled the transaction back to break a deadlock (PostgreSQL
 * 40P01, MySQL 1213, SQL Server 1205): nothing of it was written, so it may run again.
 */
export function isDeadlock(error: unknown): boolean {
  return chainOf(error).some((e) => e.code === '40P01' || e.code === 'ER_LOCK_DEADLOCK' || e.errno === 1213 || e.number === 1205);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isForeignKeyViolation(e: DriverError): boolean {
  const code = text(e.code);
  return code === '23503'
    || code === 'ER_NO_REFERENCED_ROW_2' || code === 'ER_NO_REFERENCED_ROW' || e.errno === 1452 || e.errno === 1216
    || code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || /FOREIGN KEY constraint failed/i.test(text(e.message))
    || (e.number === 547 && /FOREIGN KEY/i.test(text(e.message)));
}

function isUnavailable(e: DriverError): boolean {
  const code = text(e.code);
  if (text(e.name) === 'KnexTimeoutError') return true;
  if (NETWORK_CODES.has(code) || MYSQL_UNAVAILABLE_CODES.has(code)) return true;
  if (e.errno === 1969 || e.errno === 3024) return true;
  // PostgreSQL SQLSTATE classes: 08 connection, 53 resources, 57 operator intervention (incl. statement
  // timeout), 58 system, 40 rollback (deadlock, serialization), 28 authorisation; and lock timeout,
  // missing database, missing table or column (not migrated), read-only transaction.
  if (/^(08|53|57|58|40|28)[0-9A-Z]{3}$/.test(code) || ['55P03', '3D000', '42P01', '42703', '25006'].includes(code)) {
    return true;
  }
  if (/^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|NOMEM|PROTOCOL|CORRUPT|NOTADB|INTERRUPT)/.test(code)) return true;
  if (typeof e.number === 'number' && MSSQL_UNAVAILABLE_NUMBERS.has(e.number)) return true;
  return UNAVAILABLE_MESSAGE.test(text(e.message));
}

// The connection broke, or the client stopped waiting, after it was established: a statement
// (a COMMIT among them) may have reached the server and taken effect.
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ECONNCLOSED', 'ECLOSE', 'PROTOCOL_CONNECTION_LOST']);
const CONNECTION_LOST_MESSAGE = anyOf([
  'Connection terminated unexpectedly', 'server closed the connection', 'Connection lost', 'Query read timeout',
  'Defined query timeout of',
]);

function isConnectionLost(e: DriverError): boolean {
  const code = text(e.code);
  // PostgreSQL: connection failure, connection does not exist, the server shutting down.
  if (CONNECTION_LOST_CODES.has(code) || ['08006', '08003', '57P01', '57P02'].includes(code)) return true;
  if (typeof e.number === 'number' && [10053, 10054].includes(e.number)) return true;
  return CONNECTION_LOST_MESSAGE.test(text(e.message));
}

function isDataRejected(e: DriverError): boolean {
  const code = text(e.code);
  return /^22[0-9A-Z]{3}$/.test(code) || code === '23502' || code === '23514'
    || MYSQL_DATA_CODES.has(code)
    || /^SQLITE_(CONSTRAINT_(NOTNULL|CHECK)|TOOBIG|MISMATCH|RANGE)/.test(code)
    || (typeof e.number === 'number' && MSSQL_DATA_NUMBERS.has(e.number) && !isForeignKeyViolation(e));
}

/** The driver's reason on one short line, without the SQL text knex puts in front of it (it carries the values). */
function reasonOf(chain: readonly DriverError[]): string {
  const first = chain[0];
  if (first === undefined) return 'unknown error';
  let message = text(first.message);
  const separator = message.lastIndexOf(' - ');
  if (separator >= 0 && /^\s*(insert|select|update|delete|merge|create|alter|drop|with|pragma|begin|commit|rollback|set)\b/i.test(message)) {
    message = message.slice(separator + 3);
  }
  if (message === '' && Array.isArray(first.errors)) {
    message = (first.errors as unknown[]).map((inner) => text(asDriverError(inner)?.message)).filter(Boolean).join('; ');
  }
  const code = text(first.code) || (typeof first.number === 'number' ? String(first.number) : '');
  const oneLine = message.replace(/\s+/g, ' ').trim();
  const short = oneLine.length > 200 ? `${oneLine.slice(0, 197)}...` : oneLine;
  if (code !== '' && !short.includes(code)) return short === '' ? code : `${code}: ${short}`;
  return short === '' ? text(first.name) || 'unknown error' : short;
}

/** The field whose foreign key was violated, when the driver's message names the constraint or table (SQLite's does not). */
function referenceCodeField(chain: readonly DriverError[]): ReferenceCodeField | undefined {
  const detail = chain.map((e) => `${text(e.constraint)} ${text(e.message)}`).join(' ');
  if (/FK_Prospects_Countries|\bCountries\b/i.test(detail)) return 'countryCode';
  if (/FK_Prospects_Roles|\bRoles\b/i.test(detail)) return 'roleCode';
  return undefined;
}

/**
 * Turns whatever a knex driver threw into a SignUp error, keeping the driver
 * error as `cause` (its message may contain SQL and values; ours does not):
 *
 * - cannot connect, pool acquire timeout, statement timeout, deadlock, busy/locked,
 *   authentication, missing database or table → `DatabaseUnavailableError` (transient);
 * - foreign key violation → `UnknownReferenceCodeError` naming the field when the driver says which (permanent);
 * - a value the database refuses (too long, null) → `ProspectNotStorableError` (permanent);
 * - anything else → `DatabaseError` (permanent).
 *
 * With `mayHaveCommitted` (the caller had sent the statement that commits), a
 * `DatabaseUnavailableError` for a lost connection (reset, closed, the client's own query
 * timeout) has `outcomeUnknown`: the commit may have taken effect. An error the server
 * answered (a cancelled statement, a deadlock) means it rolled back, and never has it.
 *
 * A SignUpError passes through unchanged.
 */
export function translateSqlError(error: unknown, { mayHaveCommitted = false }: { mayHaveCommitted?: boolean } = {}): SignUpError {
  if (error instanceof SignUpError) return error;
  const chain = chainOf(error);
  const reason = reasonOf(chain);
  if (chain.some(isForeignKeyViolation)) {
    const field = referenceCodeField(chain);
    return new UnknownReferenceCodeError({ cause: error, ...(field === undefined ? {} : { field }) });
  }
  const outcomeUnknown = mayHaveCommitted && chain.some(isConnectionLost);
  if (outcomeUnknown || chain.some(isUnavailable)) {
    return new DatabaseUnavailableError(`The database is unavailable (${reason}).`, { cause: error, outcomeUnknown });
  }
  if (chain.some(isDataRejected)) {
    return new ProspectNotStorableError(`The database refused a value of the prospect (${reason}).`, { cause: error });
  }
  return new DatabaseError(`The database reported an error (${reason}).`, { cause: error });
}
