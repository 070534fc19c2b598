import { ConfigurationError } from '../config/configuration-error.js';

/** The configuration key a connection string is read from, named in every error. */
export const CONNECTION_STRING_KEY = 'ConnectionStrings:SignUpDb';

/** The knex client (driver) for each kind of connection string. */
export type SqlClientName = 'better-sqlite3' | 'pg' | 'mysql2' | 'mssql';

export interface SqliteConnectionSettings {
  /** A file path, or `:memory:`. */
  readonly filename: string;
}

export interface PostgresConnectionSettings {
  /** The URL as given; `pg` reads host, credentials, database and options such as `sslmode` from it. */
  readonly connectionString: string;
}

export interface MySqlConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly ssl?: { readonly rejectUnauthorized: boolean };
}

export interface SqlServerConnectionSettings {
  readonly server: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly options: {
    readonly encrypt: boolean;
    readonly trustServerCertificate: boolean;
    readonly instanceName?: string;
    readonly appName?: string;
  };
}

/** A connection string taken apart: which driver, its connection settings, and a form safe to log. */
export type ParsedConnectionString =
  | { readonly client: 'better-sqlite3'; readonly connection: SqliteConnectionSettings; readonly display: string }
  | { readonly client: 'pg'; readonly connection: PostgresConnectionSettings; readonly display: string }
  | { readonly client: 'mysql2'; readonly connection: MySqlConnectionSettings; readonly display: string }
  | { readonly client: 'mssql'; readonly connection: SqlServerConnectionSettings; readonly display: string };

const ACCEPTED_FORMS = 'use sqlite:<path>, postgres://user:password@host:5432/database, '
  + 'mysql://user:password@host:3306/database, mssql://user:password@host:1433/database '
  + 'or Server=host,1433;Database=...;User Id=...;Password=...';

class InvalidConnectionString extends Error {}

function fail(reason: string): never {
  throw new InvalidConnectionString(reason);
}

// Userinfo: everything from `://` to the last `@` before a space, whether or not the URL parses.
const URL_USERINFO = /(:\/\/)(\S*)@/g;
const SIMPLE_USER = /^[^/?#@:]*$/;
// In a query string a value ends at `&` or `;`; in an ADO.NET string at the next `;` only.
const KEY_VALUE_PASSWORD = /((?:^|([;?&]))\s*(?:password|pwd)\s*=\s*)("(?:[^"]|"")*"|'(?:[^']|'')*'|[^;]*)/gi;

/** `user:***` when the user name is plain, else `***`: nothing of a password survives. A user alone is kept. */
function maskedUserInfo(userInfo: string): string {
  const colon = userInfo.indexOf(':');
  if (colon < 0) return SIMPLE_USER.test(userInfo) ? userInfo : '***';
  const user = userInfo.slice(0, colon);
  return SIMPLE_USER.test(user) ? `${user}:***` : '***';
}

/**
 * Masks the password in a connection string of any of the accepted forms (and in
 * strings that do not parse: everything between `://` and the last `@`, every
 * `Password=`/`Pwd=` value up to the next `;`), and folds it onto one line.
 */
export function maskConnectionString(value: string): string {
  return value
    .replace(URL_USERINFO, (_match, scheme: string, userInfo: string) => `${scheme}${maskedUserInfo(userInfo)}@`)
    .replace(KEY_VALUE_PASSWORD, (_match, key: string, separator: string | undefined, secret: string) => {
      const inQuery = separator === '?' || separator === '&';
      const end = inQuery && !/^["']/.test(secret) ? secret.search(/&/) : -1;
      return `${key}***${end < 0 ? '' : secret.slice(end)}`;
    })
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
}

function decode(component: string, what: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return fail(`the ${what} is not correctly percent-encoded`);
  }
}

function parsePort(text: string, defaultPort?: number): number | undefined {
  if (text === '') return defaultPort;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) fail(`the port "${text}" is not a number from 1 to 65535`);
  return port;
}

function parseBoolean(key: string, text: string): boolean {
  switch (text.trim().toLowerCase()) {
    case 'true': case 'yes': case '1': case 'mandatory': case 'strict': return true;
    case 'false': case 'no': case '0': case 'optional': return false;
    default: return fail(`${key} must be true or false, not "${text}"`);
  }
}

function parseSqlite(value: string): ParsedConnectionString {
  let filename = value.slice('sqlite:'.length);
  if (filename.startsWith('//')) filename = filename.slice(2);
  if (filename.trim() === '') fail('the sqlite path is empty');
  return { client: 'better-sqlite3', connection: { filename }, display: `sqlite:${filename}` };
}

function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    return fail('it is not a well-formed URL');
  }
}

function maskUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  return maskConnectionString(copy.href);
}

function parsePostgres(value: string): ParsedConnectionString {
  const url = parseUrl(value);
  if (url.hostname === '' && !url.searchParams.has('host')) fail('the host is missing');
  if (url.port !== '') parsePort(url.port);
  decode(url.username, 'user name');
  decode(url.password, 'password');
  return { client: 'pg', connection: { connectionString: value }, display: maskUrl(url) };
}

function parseMySql(value: string): ParsedConnectionString {
  const url = parseUrl(value);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') fail('the host is missing');
  const database = decode(url.pathname.replace(/^\//, ''), 'database name');
  if (database.includes('/')) fail('the path must be just the database name');
  let ssl: MySqlConnectionSettings['ssl'];
  for (const [key, option] of url.searchParams) {
    if (key.toLowerCase() !== 'ssl') fail(`the option "${key}" is not supported (accepted: ssl)`);
    ssl = parseBoolean('ssl', option) ? { rejectUnauthorized: true } : undefined;
  }
  const user = decode(url.username, 'user name');
  const password = decode(url.password, 'password');
  return {
    client: 'mysql2',
    connection: {
      host,
      port: parsePort(url.port, 3306) ?? 3306,
      ...(user === '' ? {} : { user }),
      ...(password === '' ? {} : { password }),
      ...(database === '' ? {} : { database }),
      ...(ssl === undefined ? {} : { ssl }),
    },
    display: maskUrl(url),
  };
}

/** One `key=value` pair of an ADO.NET or JDBC style string, key as written. */
interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** Splits `Key=Value;Key='quoted;value'` pairs the way ADO.NET does (quotes doubled inside quotes). */
function parseKeyValuePairs(text: string): KeyValue[] {
  const pairs: KeyValue[] = [];
  let i = 0;
  let part = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ';' || /\s/.test(text[i] ?? ''))) i += 1;
    if (i >= text.length) break;
    part += 1;
    const equals = text.indexOf('=', i);
    const semicolon = text.indexOf(';', i);
    if (equals < 0 || (semicolon >= 0 && semicolon < equals)) fail(`part ${part} is not a Key=Value pair`);
    const key = text.slice(i, equals).trim();
    if (key === '') fail(`part ${part} has no key before "="`);
    i = equals + 1;
    while (i < text.length && /[ \t]/.test(text[i] ?? '')) i += 1;
    let value: string;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let j = i + 1;
      let collected = '';
      for (;;) {
        if (j >= text.length) fail(`the value of ${key} has no closing ${quote}`);
        if (text[j] === quote) {
          if (text[j + 1] === quote) {
            collected += quote;
            j += 2;
            continue;
          }
          break;
        }
        collected += text[j];
        j += 1;
      }
      value = collected;
      i = j + 1;
      while (i < text.length && /\s/.test(text[i] ?? '')) i += 1;
      if (i < text.length && text[i] !== ';') fail(`the quoted value of ${key} is followed by more text`);
    } else {
      const end = text.indexOf(';', i);
      value = text.slice(i, end < 0 ? text.length : end).trim();
      i = end < 0 ? text.length : end;
    }
    pairs.push({ key, value });
  }
  return pairs;
}

type SqlServerSetting = 'server' | 'database' | 'user' | 'password' | 'encrypt' | 'trustServerCertificate'
  | 'instanceName' | 'appName' | 'port' | 'ignored' | 'integratedSecurity';

const SQL_SERVER_KEYS: Readonly<Record<string, SqlServerSetting>> = {
  server: 'server', 'data source': 'server', address: 'server', addr: 'server', 'network address': 'server',
  host: 'server', servername: 'server', 'server name': 'server',
  database: 'database', 'initial catalog': 'database', databasename: 'database',
  'user id': 'user', userid: 'user', uid: 'user', user: 'user', username: 'user', 'user name': 'user',
  password: 'password', pwd: 'password',
  encrypt: 'encrypt',
  trustservercertificate: 'trustServerCertificate', 'trust server certificate': 'trustServerCertificate',
  instancename: 'instanceName', 'instance name': 'instanceName',
  'application name': 'appName', app: 'appName', applicationname: 'appName',
  port: 'port', portnumber: 'port',
  'integrated security': 'integratedSecurity', 'trusted_connection': 'integratedSecurity',
  integratedsecurity: 'integratedSecurity',
  'connect timeout': 'ignored', 'connection timeout': 'ignored', timeout: 'ignored', logintimeout: 'ignored',
  'command timeout': 'ignored', multipleactiveresultsets: 'ignored', 'multiple active result sets': 'ignored',
  'persist security info': 'ignored', persistsecurityinfo: 'ignored', pooling: 'ignored',
  'max pool size': 'ignored', 'min pool size': 'ignored', 'connection lifetime': 'ignored',
  'load balance timeout': 'ignored', 'packet size': 'ignored', 'workstation id': 'ignored', wsid: 'ignored',
  'current language': 'ignored', language: 'ignored', multisubnetfailover: 'ignored',
  'multi subnet failover': 'ignored', applicationintent: 'ignored', 'application intent': 'ignored',
  connectretrycount: 'ignored', 'connect retry count': 'ignored', connectretryinterval: 'ignored',
  'connect retry interval': 'ignored', hostnameincertificate: 'ignored', 'host name in certificate': 'ignored',
};

interface SqlServerParts {
  server?: string;
  port?: number;
  instanceName?: string;
  user?: string;
  password?: string;
  database?: string;
  encrypt?: boolean;
  trustServerCertificate?: boolean;
  appName?: string;
}

/** `tcp:host,1433`, `host\instance`, `host:1433`, `(local)` → host, port, instance. */
function parseServer(parts: SqlServerParts, text: string, portSeparator: ',' | ':'): void {
  let server = text.trim();
  if (/^tcp:/i.test(server)) server = server.slice(4);
  else if (/^(np|lpc|admin):/i.test(server)) fail('only TCP connections are supported (Server=tcp:host,1433)');
  const separator = server.lastIndexOf(portSeparator);
  if (separator >= 0 && !(portSeparator === ':' && server.includes(']') && separator < server.indexOf(']'))) {
    parts.port = parsePort(server.slice(separator + 1).trim());
    server = server.slice(0, separator).trim();
  }
  const backslash = server.indexOf('\\');
  if (backslash >= 0) {
    const instanceName = server.slice(backslash + 1).trim();
    if (instanceName !== '') parts.instanceName = instanceName;
    server = server.slice(0, backslash).trim();
  }
  server = server.replace(/^\[(.*)\]$/, '$1');
  if (server === '.' || server.toLowerCase() === '(local)' || server.toLowerCase() === '(localdb)') server = 'localhost';
  parts.server = server;
}

function applySqlServerPairs(parts: SqlServerParts, pairs: readonly KeyValue[]): void {
  for (const { key, value } of pairs) {
    const setting = SQL_SERVER_KEYS[key.toLowerCase().replace(/\s+/g, ' ')];
    switch (setting) {
      case undefined: return fail(`the key "${key}" is not a SQL Server connection setting`);
      case 'server': parseServer(parts, value, ','); break;
      case 'database': parts.database = value; break;
      case 'user': parts.user = value; break;
      case 'password': parts.password = value; break;
      case 'encrypt': parts.encrypt = parseBoolean(key, value); break;
      case 'trustServerCertificate': parts.trustServerCertificate = parseBoolean(key, value); break;
      case 'instanceName': parts.instanceName = value; break;
      case 'appName': parts.appName = value; break;
      case 'port': parts.port = parsePort(value); break;
      case 'integratedSecurity':
        if (parseBoolean(key, value.toLowerCase() === 'sspi' ? 'true' : value)) {
          fail('Integrated Security is not supported; use User Id and Password');
        }
        break;
      case 'ignored': break;
    }
  }
}

function sqlServerResult(parts: SqlServerParts, display: string): ParsedConnectionString {
  if (parts.server === undefined || parts.server === '') fail('the server is missing');
  if (parts.user === undefined || parts.user === '') fail('the user (User Id) is missing');
  return {
    client: 'mssql',
    connection: {
      server: parts.server,
      ...(parts.port === undefined || parts.instanceName !== undefined ? {} : { port: parts.port }),
      user: parts.user,
      ...(parts.password === undefined ? {} : { password: parts.password }),
      ...(parts.database === undefined || parts.database === '' ? {} : { database: parts.database }),
      options: {
        // The original app's System.Data.SqlClient did not encrypt unless asked to.
        encrypt: parts.encrypt ?? false,
        trustServerCertificate: parts.trustServerCertificate ?? false,
        ...(parts.instanceName === undefined ? {} : { instanceName: parts.instanceName }),
        appName: parts.appName ?? 'signup',
      },
    },
    display,
  };
}

/** `mssql://user:password@host:1433/database?encrypt=true` or JDBC's `sqlserver://host:1433;databaseName=db;user=sa`. */
function parseSqlServerUrl(value: string): ParsedConnectionString {
  const rest = value.slice(value.indexOf('://') + 3);
  const endOfAuthority = rest.search(/[/?;]/);
  const authority = endOfAuthority < 0 ? rest : rest.slice(0, endOfAuthority);
  const tail = endOfAuthority < 0 ? '' : rest.slice(endOfAuthority);
  const parts: SqlServerParts = {};
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userInfo = authority.slice(0, at);
    const colon = userInfo.indexOf(':');
    parts.user = decode(colon < 0 ? userInfo : userInfo.slice(0, colon), 'user name');
    if (colon >= 0) parts.password = decode(userInfo.slice(colon + 1), 'password');
  }
  parseServer(parts, decode(authority.slice(at + 1), 'host'), ':');
  if (tail.startsWith(';')) {
    applySqlServerPairs(parts, parseKeyValuePairs(tail.slice(1)));
  } else {
    const query = tail.indexOf('?');
    const path = query < 0 ? tail : tail.slice(0, query);
    const database = decode(path.replace(/^\//, ''), 'database name');
    if (database.includes('/')) fail('the path must be just the database name');
    if (database !== '') parts.database = database;
    if (query >= 0) {
      applySqlServerPairs(parts, [...new URLSearchParams(tail.slice(query + 1))].map(([key, v]) => ({ key, value: v })));
    }
  }
  return sqlServerResult(parts, maskConnectionString(value));
}

/** `Server=tcp:host,1433;Initial Catalog=SignUp;User Id=sa;Password=...;TrustServerCertificate=True`. */
function parseAdoNet(value: string): ParsedConnectionString {
  const pairs = parseKeyValuePairs(value);
  const parts: SqlServerParts = {};
  applySqlServerPairs(parts, pairs);
  const display = pairs
    .map(({ key, value: v }) => `${key}=${SQL_SERVER_KEYS[key.toLowerCase().replace(/\s+/g, ' ')] === 'password' ? '***' : v}`)
    .join(';');
  return sqlServerResult(parts, maskConnectionString(display));
}

function parse(value: string): ParsedConnectionString {
  if (value === '') fail('it is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') return parseSqlite(value);
  if (scheme !== undefined && value.slice(scheme.length).startsWith('://')) {
    switch (scheme) {
      case 'postgres': case 'postgresql': return parsePostgres(value);
      case 'mysql': case 'mariadb': return parseMySql(value);
      case 'mssql': case 'sqlserver': return parseSqlServerUrl(value);
      default: return fail(`the scheme "${scheme}://" is not supported`);
    }
  }
  if (value.includes('=')) return parseAdoNet(value);
  return fail('it is not a form SignUp recognises');
}

/** The configuration key of the analytics read model's database; unset means the sign-up database. */
export const ANALYTICS_CONNECTION_STRING_KEY = 'ConnectionStrings:AnalyticsDb';

/**
 * Reads `ConnectionStrings:SignUpDb` (or the key given, such as `ConnectionStrings:AnalyticsDb`): `sqlite:<path>` (or `sqlite::memory:`),
 * `postgres://`/`postgresql://`, `mysql://`/`mariadb://`, `mssql://`/`sqlserver://`
 * (also JDBC's `sqlserver://host:1433;databaseName=...`), or an ADO.NET string for
 * SQL Server (`Server=tcp:host,1433;Initial Catalog=...;User Id=...;Password=...`).
 * Pure: no I/O. `display` is safe to log (password masked).
 *
 * @throws ConfigurationError (one line naming `key`, password masked) when the value is not one of those forms.
 */
export function parseConnectionString(value: string, key: string = CONNECTION_STRING_KEY): ParsedConnectionString {
  const trimmed = value.trim();
  try {
    return parse(trimmed);
  } catch (error) {
    if (!(error instanceof InvalidConnectionString)) throw error;
    throw new ConfigurationError(
      key,
      `${key} = "${maskConnectionString(trimmed)}" is not a valid connection string: ${error.message}; ${ACCEPTED_FORMS}.`,
    );
  }
}
