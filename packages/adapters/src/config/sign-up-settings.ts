import { ConfigurationError } from '@signup/domain';
import type { Configuration } from './configuration.js';
import { maskSecrets } from '../logging/index.js';

/** The log levels the hosts understand. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The SignUp configuration keys of DESIGN §3, validated and with defaults applied. */
export interface SignUpSettings {
  /** Implementation names as configured (raw); `@signup/adapters/di` validates them. */
  readonly dependencies: { readonly IProspectSaveHandler?: string; readonly IReferenceDataLoader?: string };
  readonly referenceDataApi: { readonly url?: string };
  /** `url` unset means the in-process bus. `servers` is `url` split on commas, each a nats:// or tls:// URL. */
  readonly messageQueue: {
    readonly url?: string;
    readonly servers?: string[];
    readonly token?: string;
    readonly credsFile?: string;
    readonly mode: 'jetstream' | 'core';
  };
  /** The connection string is passed on as it is; the SQL adapter parses it. */
  readonly database: { readonly connectionString: string; readonly migrate: boolean };
  readonly web: { readonly port: number };
  readonly metricsServer: { readonly enabled: boolean; readonly port: number };
  readonly logging: { readonly level: LogLevel };
  /** Who may open the analytics (HTTP Basic). `password` unset: the host decides (docs/analytics.md, Access). */
  readonly analytics: { readonly username: string; readonly password?: string };
}

/** The defaults applied by `readSignUpSettings`. */
export const SIGNUP_DEFAULTS = Object.freeze({
  connectionString: 'sqlite:./data/signup.db',
  webPort: 8020,
  metricsPort: 9464,
  analyticsUsername: 'admin',
});

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

function readMessageQueue(config: Configuration): SignUpSettings['messageQueue'] {
  const modeSetting = read(config, 'MessageQueue:Mode');
  const mode = (modeSetting?.value ?? 'jetstream').toLowerCase();
  if (mode !== 'jetstream' && mode !== 'core') {
    throw invalid('MessageQueue:Mode', modeSetting?.value ?? mode, 'is not valid', 'jetstream or core');
  }
  const token = read(config, 'MessageQueue:Token')?.value;
  const credsFile = read(config, 'MessageQueue:CredsFile')?.value;
  const url = read(config, 'MessageQueue:Url');
  if (url === undefined) return { mode, token, credsFile };
  const servers = url.value.split(',').map((server) => server.trim()).filter((server) => server !== '');
  if (servers.length === 0 || !servers.every(isNatsUrl)) {
    throw invalid(url.key, url.value, 'is not a NATS URL', 'nats://host:4222 (comma-separated for a cluster)');
  }
  return { url: url.value, servers, mode, token, credsFile };
}

function readLogLevel(config: Configuration): LogLevel {
  const found = read(config, 'Logging:LogLevel', 'Logging:LogLevel:Default', 'LOG_LEVEL');
  if (found === undefined) return 'info';
  const level = LOG_LEVELS[found.value.toLowerCase()];
  if (level === undefined) throw invalid(found.key, found.value, 'is not a log level', 'debug, info, warn or error');
  return level;
}

function readAnalytics(config: Configuration): SignUpSettings['analytics'] {
  const username = read(config, 'Analytics:Username');
  if (username !== undefined && /[:\p{Cc}]/u.test(username.value)) {
    throw invalid(username.key, username.value, 'cannot be sent with HTTP Basic', 'a user name without ":" or control characters');
  }
  // Not trimmed: spaces at either end may be part of a password. Blank still counts as unset.
  const password = config.get('Analytics:Password');
  return {
    username: username?.value ?? SIGNUP_DEFAULTS.analyticsUsername,
    ...(password === undefined || password.trim() === '' ? {} : { password }),
  };
}

/**
 * Reads and validates the SignUp keys (DESIGN §3) and applies their defaults. Blank
 * values count as unset. `Web:Port` falls back to `PORT`, then 8020; the log level is
 * `Logging:LogLevel`, else `Logging:LogLevel:Default`, else `LOG_LEVEL`, else info
 * (.NET names such as Information and Warning are accepted). Implementation names and
 * the connection string are passed on unparsed.
 *
 * @throws ConfigurationError with a one-line message naming the key, the bad value
 *   (credentials masked) and the accepted values.
 */
export function readSignUpSettings(config: Configuration): SignUpSettings {
  return {
    dependencies: {
      IProspectSaveHandler: read(config, 'Dependencies:IProspectSaveHandler')?.value,
      IReferenceDataLoader: read(config, 'Dependencies:IReferenceDataLoader')?.value,
    },
    referenceDataApi: { url: readHttpUrl(config, 'ReferenceDataApi:Url') },
    messageQueue: readMessageQueue(config),
    database: {
      connectionString: read(config, 'ConnectionStrings:SignUpDb')?.value ?? SIGNUP_DEFAULTS.connectionString,
      migrate: readBoolean(config, 'Database:Migrate', true),
    },
    web: { port: readPort(config, ['Web:Port', 'PORT'], SIGNUP_DEFAULTS.webPort) },
    metricsServer: {
      enabled: readBoolean(config, 'Metrics:Server:Enabled', false),
      port: readPort(config, ['Metrics:Server:Port'], SIGNUP_DEFAULTS.metricsPort),
    },
    logging: { level: readLogLevel(config) },
    analytics: readAnalytics(config),
  };
}
