import { type LogLevel } from '@signup/domain';
import { ConfigurationError } from './configuration-error.js';
import type { Configuration } from './configuration.js';
import { maskSecrets } from '../logging/index.js';
import { ANALYTICS_CONNECTION_STRING_KEY, parseConnectionString } from '../sql/connection-string.js';

/** How published events are encoded: UTF-8, or UTF-16LE without a byte order mark as the original .NET `MessageHelper` wrote them. */
export type MessageEncoding = 'utf-8' | 'utf-16le';

/** How log lines are written: the original's text lines, or one JSON object per line. */
export type LogFormat = 'text' | 'json';

/**
 * The ports whose implementation `Dependencies:<port>` chooses; `@signup/adapters/di`
 * registers the implementations of each.
 */
export const CONFIGURABLE_PORTS = ['IProspectSaveHandler', 'IReferenceDataLoader', 'IProspectRepository', 'IProspectIndex'] as const;

/** A port whose implementation the configuration chooses. */
export type ConfigurablePort = (typeof CONFIGURABLE_PORTS)[number];

/** The SignUp configuration keys (README.md, "Configuration"), validated and with defaults applied. */
export interface SignUpSettings {
  /** Implementation names as configured (raw), one per configurable port; `@signup/adapters/di` validates them. */
  readonly dependencies: { readonly [port in ConfigurablePort]?: string };
  readonly referenceDataApi: { readonly url?: string };
  /** `url` unset means the in-process bus. `servers` is `url` split on commas, each a nats:// or tls:// URL. */
  readonly messageQueue: {
    readonly url?: string;
    readonly servers?: string[];
    readonly token?: string;
    readonly credsFile?: string;
    readonly mode: 'jetstream' | 'core';
    /** JetStream replicas of the streams the hosts create (`MessageQueue:Replicas`, 1-5). */
    readonly replicas: number;
    /** How published events are encoded (`MessageQueue:Encoding`). */
    readonly encoding: MessageEncoding;
    /** Longest the streams keep a message, in milliseconds (`MessageQueue:MaxAge`); unset: no limit. */
    readonly maxAgeMs?: number;
    /** Most bytes each stream keeps (`MessageQueue:MaxBytes`); unset: no limit. */
    readonly maxBytes?: number;
  };
  /** The connection string is passed on as it is; the SQL adapter parses it. */
  readonly database: { readonly connectionString: string; readonly migrate: boolean };
  /**
   * Where `SqlProspectIndex` keeps its read model: `ConnectionStrings:AnalyticsDb`, else the
   * sign-up database's connection string. `separate` says whether the key was set.
   */
  readonly analyticsDatabase: { readonly connectionString: string; readonly separate: boolean };
  /** `Elasticsearch:*`, read by `ElasticsearchProspectIndex`. `url` unset: no cluster configured. */
  readonly elasticsearch: {
    readonly url?: string;
    readonly index: string;
    readonly username?: string;
    readonly password?: string;
    readonly apiKey?: string;
  };
  readonly web: { readonly port: number };
  /** `consumerLagIntervalMs`: how often the handler samples its consumer's backlog for `/metrics`. */
  readonly metricsServer: { readonly enabled: boolean; readonly port: number; readonly consumerLagIntervalMs: number };
  readonly logging: { readonly level: LogLevel; readonly format: LogFormat };
  /** Who may open the analytics (HTTP Basic). `password` unset: the host decides (docs/analytics.md, Access). */
  readonly analyticsLogin: { readonly username: string; readonly password?: string };
  /**
   * `Handlers:InProcess`: the command names of the handlers the all-in-one runs in its process
   * (`save,index`), in the order given; unset: every shipped handler. `[]` (`none`): no handler.
   */
  readonly handlers: { readonly inProcess?: readonly string[] };
  /**
   * `Outbox:Enabled`: whether the synchronous save writes the transactional outbox and the web
   * relays it (docs/reliability.md, "The outbox"). Unset: the host's default (on wherever a bus exists).
   */
  readonly outbox: { readonly enabled?: boolean };
}

/** The defaults applied by `readSignUpSettings`. */
export const SIGNUP_DEFAULTS: Readonly<{
  connectionString: string;
  webPort: number;
  metricsPort: number;
  replicas: number;
  consumerLagIntervalSeconds: number;
  encoding: MessageEncoding;
  elasticsearchIndex: string;
  analyticsUsername: string;
}> = Object.freeze({
  connectionString: 'sqlite:./data/signup.db',
  webPort: 8020,
  metricsPort: 9464,
  consumerLagIntervalSeconds: 15,
  elasticsearchIndex: 'prospects',
  replicas: 1,
  encoding: 'utf-8',
  analyticsUsername: 'admin',
});

// JetStream refuses more than five replicas.
const MAX_REPLICAS = 5;
const ENCODINGS: Readonly<Record<string, MessageEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16le': 'utf-16le',
  utf16le: 'utf-16le',
};

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);
const LOG_LEVELS: Readonly<Record<string, LogLevel>> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  information: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  critical: 'error',
};

function invalid(key: string, value: string, problem: string, accepted: string): ConfigurationError {
  return new ConfigurationError(key, `${key} = ${JSON.stringify(maskSecrets(value))} ${problem}; use ${accepted}`);
}

/** The value of the first key that is set to something other than blank, with that key. */
function read(config: Configuration, ...keys: string[]): { key: string; value: string } | undefined {
  for (const key of keys) {
    const value = config.get(key);
    if (value !== undefined && value.trim() !== '') return { key, value: value.trim() };
  }
  return undefined;
}

function readBoolean(config: Configuration, key: string, fallback: boolean): boolean {
  const found = read(config, key);
  if (found === undefined) return fallback;
  const word = found.value.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw invalid(key, found.value, 'is not a boolean', 'true or false (or 1/0, yes/no)');
}

function readPort(config: Configuration, keys: string[], fallback: number): number {
  const found = read(config, ...keys);
  if (found === undefined) return fallback;
  const port = /^\d{1,5}$/.test(found.value) ? Number(found.value) : NaN;
  if (!(port >= 1 && port <= 65535)) throw invalid(found.key, found.value, 'is not a port number', '1-65535');
  return port;
}

function readSeconds(config: Configuration, key: string, fallback: number): number {
  const found = read(config, key);
  if (found === undefined) return fallback * 1000;
  const seconds = /^\d+(\.\d+)?$/.test(found.value) ? Number(found.value) : NaN;
  if (!(seconds >= 0.1 && seconds <= 3600)) throw invalid(key, found.value, 'is not a number of seconds', 'a number from 0.1 to 3600');
  return Math.round(seconds * 1000);
}

function readHttpUrl(config: Configuration, key: string): string | undefined {
  const found = read(config, key);
  if (found === undefined) return undefined;
  const url = URL.parse(found.value);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw invalid(key, found.value, 'is not an HTTP URL', 'http://host:port/api (the base of /countries and /roles)');
  }
  return found.value;
}

function isNatsUrl(server: string): boolean {
  const url = URL.parse(server);
  return url !== null && (url.protocol === 'nats:' || url.protocol === 'tls:') && url.hostname !== ''
    && (url.pathname === '' || url.pathname === '/') && url.search === '' && url.hash === '';
}

function readReplicas(config: Configuration): number {
  const found = read(config, 'MessageQueue:Replicas');
  if (found === undefined) return SIGNUP_DEFAULTS.replicas;
  const replicas = /^\d$/.test(found.value) ? Number(found.value) : NaN;
  if (!(replicas >= 1 && replicas <= MAX_REPLICAS)) {
    throw invalid('MessageQueue:Replicas', found.value, 'is not a replica count', `1-${MAX_REPLICAS} (3 on a three-node cluster)`);
  }
  return replicas;
}

const DURATION = /^(\d{1,9})\s*(d|h|m)$/i;
const DURATION_UNIT_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000 };
const SIZE = /^(\d{1,15})\s*(b|kb|mb|gb|tb)$/i;
const SIZE_UNIT_BYTES: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
// JetStream keeps an age in nanoseconds in a signed 64-bit number: about 292 years.
const MAX_AGE_MS = 100 * 365 * 86_400_000;

/** `MessageQueue:MaxAge`: `30d`, `12h`, `90m`; unset: no limit. */
function readMaxAge(config: Configuration): number | undefined {
  const found = read(config, 'MessageQueue:MaxAge');
  if (found === undefined) return undefined;
  const match = DURATION.exec(found.value);
  const ms = match === null ? NaN : Number(match[1]) * DURATION_UNIT_MS[match[2]!.toLowerCase()]!;
  if (!(ms > 0 && ms <= MAX_AGE_MS)) {
    throw invalid('MessageQueue:MaxAge', found.value, 'is not a duration',
      'a whole number of days, hours or minutes such as 30d, 12h or 90m (at most 100 years), or leave it unset for no limit');
  }
  return ms;
}

/** `MessageQueue:MaxBytes`: `10GB`, `500MB` (1 GB = 1024 MB); unset: no limit. */
function readMaxBytes(config: Configuration): number | undefined {
  const found = read(config, 'MessageQueue:MaxBytes');
  if (found === undefined) return undefined;
  const match = SIZE.exec(found.value);
  const bytes = match === null ? NaN : Number(match[1]) * SIZE_UNIT_BYTES[match[2]!.toLowerCase()]!;
  if (!(bytes > 0 && Number.isSafeInteger(bytes))) {
    throw invalid('MessageQueue:MaxBytes', found.value, 'is not a size',
      'a whole number of B, KB, MB, GB or TB such as 10GB or 500MB, or leave it unset for no limit');
  }
  return bytes;
}

function readEncoding(config: Configuration): MessageEncoding {
  const found = read(config, 'MessageQueue:Encoding');
  if (found === undefined) return SIGNUP_DEFAULTS.encoding;
  const encoding = ENCODINGS[found.value.toLowerCase()];
  if (encoding === undefined) {
    throw invalid('MessageQueue:Encoding', found.value, 'is not a message encoding', 'utf-8, or utf-16le for the original .NET handlers');
  }
  return encoding;
}

function readMessageQueue(config: Configuration): SignUpSettings['messageQueue'] {
  const modeSetting = read(config, 'MessageQueue:Mode');
  const mode = (modeSetting?.value ?? 'jetstream').toLowerCase();
  if (mode !== 'jetstream' && mode !== 'core') {
    throw invalid('MessageQueue:Mode', modeSetting?.value ?? mode, 'is not valid', 'jetstream or core');
  }
  const token = read(config, 'MessageQueue:Token')?.value;
  const credsFile = read(config, 'MessageQueue:CredsFile')?.value;
  const replicas = readReplicas(config);
  const encoding = readEncoding(config);
  const maxAgeMs = readMaxAge(config);
  const maxBytes = readMaxBytes(config);
  const limits = { ...(maxAgeMs === undefined ? {} : { maxAgeMs }), ...(maxBytes === undefined ? {} : { maxBytes }) };
  const url = read(config, 'MessageQueue:Url');
  if (url === undefined) return { mode, token, credsFile, replicas, encoding, ...limits };
  const servers = url.value.split(',').map((server) => server.trim()).filter((server) => server !== '');
  if (servers.length === 0 || !servers.every(isNatsUrl)) {
    throw invalid(url.key, url.value, 'is not a NATS URL', 'nats://host:4222 (comma-separated for a cluster)');
  }
  return { url: url.value, servers, mode, token, credsFile, replicas, encoding, ...limits };
}

function readAnalyticsDatabase(config: Configuration, signUpDb: string): SignUpSettings['analyticsDatabase'] {
  const found = read(config, ANALYTICS_CONNECTION_STRING_KEY);
  if (found === undefined) return { connectionString: signUpDb, separate: false };
  parseConnectionString(found.value, found.key);
  return { connectionString: found.value, separate: true };
}

// Elasticsearch index names: lower case, none of \ / * ? " < > | , # : or space, not starting with - _ +, not . or ..
const INDEX_NAME = /^(?![-_+])(?!\.\.?$)[^A-Z\\/*?"<>|,#:\s]{1,255}$/;

function readElasticsearch(config: Configuration): SignUpSettings['elasticsearch'] {
  const url = read(config, 'Elasticsearch:Url');
  if (url !== undefined) {
    const parsed = URL.parse(url.value);
    if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') {
      throw invalid(url.key, url.value, 'is not an HTTP URL', 'http://host:9200 or https://host:9200');
    }
  }
  const index = read(config, 'Elasticsearch:Index');
  if (index !== undefined && !INDEX_NAME.test(index.value)) {
    throw invalid(index.key, index.value, 'is not an Elasticsearch index name',
      'lower case, without spaces or \\ / * ? " < > | , # :, not starting with - _ or +');
  }
  const username = read(config, 'Elasticsearch:Username')?.value;
  const password = read(config, 'Elasticsearch:Password')?.value;
  if (username !== undefined && password === undefined) {
    throw new ConfigurationError('Elasticsearch:Password',
      'Elasticsearch:Password is not set; set it with Elasticsearch:Username, or use Elasticsearch:ApiKey instead');
  }
  return {
    url: url?.value,
    index: index?.value ?? SIGNUP_DEFAULTS.elasticsearchIndex,
    username,
    password: username === undefined ? undefined : password,
    apiKey: read(config, 'Elasticsearch:ApiKey')?.value,
  };
}

function readLogLevel(config: Configuration): LogLevel {
  const found = read(config, 'Logging:LogLevel', 'Logging:LogLevel:Default', 'LOG_LEVEL');
  if (found === undefined) return 'info';
  const level = LOG_LEVELS[found.value.toLowerCase()];
  if (level === undefined) throw invalid(found.key, found.value, 'is not a log level', 'debug, info, warn or error');
  return level;
}

function readLogFormat(config: Configuration): LogFormat {
  const found = read(config, 'Logging:Format');
  if (found === undefined) return 'text';
  const format = found.value.toLowerCase();
  if (format !== 'text' && format !== 'json') throw invalid(found.key, found.value, 'is not a log format', 'text or json');
  return format;
}

/** The shortest `Analytics:Password` a host starts with (docs/analytics.md, Access). */
export const MIN_ANALYTICS_PASSWORD_LENGTH = 12;

function readAnalyticsLogin(config: Configuration): SignUpSettings['analyticsLogin'] {
  const username = read(config, 'Analytics:Username');
  if (username !== undefined && /[:\p{Cc}]/u.test(username.value)) {
    throw invalid(username.key, username.value, 'cannot be sent with HTTP Basic', 'a user name without ":" or control characters');
  }
  // Not trimmed: spaces at either end may be part of a password. Blank still counts as unset.
  const password = config.get('Analytics:Password');
  const length = password === undefined || password.trim() === '' ? undefined : [...password].length;
  if (length !== undefined && length < MIN_ANALYTICS_PASSWORD_LENGTH) {
    // The value itself is never shown: only how short it is.
    throw new ConfigurationError('Analytics:Password', `Analytics:Password is too short (${length} characters); `
      + `use at least ${MIN_ANALYTICS_PASSWORD_LENGTH} characters, a passphrase of a few words for example`);
  }
  return {
    username: username?.value ?? SIGNUP_DEFAULTS.analyticsUsername,
    ...(password === undefined || password.trim() === '' ? {} : { password }),
  };
}

function readHandlers(config: Configuration): SignUpSettings['handlers'] {
  const found = read(config, 'Handlers:InProcess');
  if (found === undefined) return {};
  if (found.value.toLowerCase() === 'none') return { inProcess: [] };
  const names = found.value.split(',').map((name) => name.trim());
  if (names.some((name) => !/^[a-z][a-z0-9-]*$/.test(name))) {
    throw invalid(found.key, found.value, 'is not a list of handler commands', 'command names separated by commas (save,index), or none');
  }
  return { inProcess: [...new Set(names)] };
}

/**
 * Reads and validates the SignUp keys (README.md, "Configuration") and applies their defaults. Blank
 * values count as unset. `Web:Port` falls back to `PORT`, then 8020; the log level is
 * `Logging:LogLevel`, else `Logging:LogLevel:Default`, else `LOG_LEVEL`, else info
 * (.NET names such as Information and Warning are accepted); `Logging:Format` is `text`
 * (default) or `json`. Implementation names and the sign-up connection string are passed
 * on unparsed; `ConnectionStrings:AnalyticsDb`, when set, is checked here so a malformed
 * value stops the host whichever store it uses. `Handlers:InProcess` is a comma-separated
 * list of command names (`none` for no handler); the host checks them against its table. `Elasticsearch:Username` needs
 * `Elasticsearch:Password`.
 *
 * @throws ConfigurationError with a one-line message naming the key, the bad value
 *   (credentials masked) and the accepted values.
 */
export function readSignUpSettings(config: Configuration): SignUpSettings {
  const signUpDb = read(config, 'ConnectionStrings:SignUpDb')?.value ?? SIGNUP_DEFAULTS.connectionString;
  return {
    dependencies: Object.fromEntries(CONFIGURABLE_PORTS.map((port) => [port, read(config, `Dependencies:${port}`)?.value])),
    referenceDataApi: { url: readHttpUrl(config, 'ReferenceDataApi:Url') },
    messageQueue: readMessageQueue(config),
    database: { connectionString: signUpDb, migrate: readBoolean(config, 'Database:Migrate', true) },
    analyticsDatabase: readAnalyticsDatabase(config, signUpDb),
    elasticsearch: readElasticsearch(config),
    web: { port: readPort(config, ['Web:Port', 'PORT'], SIGNUP_DEFAULTS.webPort) },
    metricsServer: {
      enabled: readBoolean(config, 'Metrics:Server:Enabled', false),
      port: readPort(config, ['Metrics:Server:Port'], SIGNUP_DEFAULTS.metricsPort),
      consumerLagIntervalMs: readSeconds(config, 'Metrics:ConsumerLag:IntervalSeconds', SIGNUP_DEFAULTS.consumerLagIntervalSeconds),
    },
    logging: { level: readLogLevel(config), format: readLogFormat(config) },
    analyticsLogin: readAnalyticsLogin(config),
    handlers: readHandlers(config),
    outbox: read(config, 'Outbox:Enabled') === undefined ? {} : { enabled: readBoolean(config, 'Outbox:Enabled', true) },
  };
}
