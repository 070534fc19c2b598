import { readFile } from 'node:fs/promises';
import { type ILogger } from '@signup/domain';
import { ConfigurationError } from '../config/configuration-error.js';
import {
  connect,
  credsAuthenticator,
  DebugEvents,
  Events,
  type Authenticator,
  type ConnectionOptions,
  type NatsConnection as NatsClientConnection,
} from 'nats';
import type { SignUpSettings } from '../config/index.js';
import { maskSecrets } from '../logging/index.js';
import { queueUnavailable } from './nats-error-translation.js';

/** An open connection to NATS, opened by a host with `connectToMessageQueue` and drained by it when it stops. */
export type NatsConnection = NatsClientConnection;

/** The `MessageQueue:*` settings a connection is made from. */
export type MessageQueueSettings = SignUpSettings['messageQueue'];

/** Tuning for `connectToMessageQueue`; the defaults suit production. */
export interface MessageQueueConnectOptions {
  /** Client name shown by the server's monitoring (`connz`). */
  readonly name?: string;
  /** How long the first connection (and each JetStream API request) may take. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Pause between reconnect attempts. Default 2000 ms. */
  readonly reconnectTimeWaitMs?: number;
  /** Upper bound of the random delay added to each pause, so many clients do not reconnect in step. Default 1000 ms. */
  readonly reconnectJitterMs?: number;
  /**
   * How often the client pings the server. A server that leaves `maxPingsOut` pings
   * unanswered counts as gone, and the client moves to another server of the list: with
   * the defaults a server cut off by the network is left after 6 to 8 s. Default 2000 ms.
   */
  readonly pingIntervalMs?: number;
  /** Unanswered pings after which the connection counts as stale. Default 2. */
  readonly maxPingsOut?: number;
}

interface ServerList {
  readonly servers: string[];
  readonly tls: boolean;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

/**
 * Opens the connection to NATS described by the `MessageQueue:*` settings: the
 * servers of `MessageQueue:Url` (credentials may be inside the URLs: `user:pass@` or
 * `token@`), `MessageQueue:Token` and `MessageQueue:CredsFile`. Logs one line
 * `Connecting to message queue url: ...` with credentials masked, then every
 * disconnect and reconnect. The connection retries forever once it has been up
 * (`maxReconnectAttempts: -1`) with a jittered pause, so an outage never closes it.
 *
 * @throws ConfigurationError when `MessageQueue:Url` is not set.
 * @throws QueueUnavailableError when no server accepts the first connection within
 *   `connectTimeoutMs`, or the creds file cannot be read.
 */
export async function connectToMessageQueue(
  settings: Omit<MessageQueueSettings, 'replicas' | 'encoding'>,
  logger: ILogger,
  options: MessageQueueConnectOptions = {},
): Promise<NatsConnection> {
  const configured = settings.servers ?? settings.url?.split(',').map((server) => server.trim()).filter((server) => server !== '') ?? [];
  if (configured.length === 0) {
    throw new ConfigurationError('MessageQueue:Url', 'MessageQueue:Url is not set; use nats://host:4222 (comma-separated for a cluster).');
  }
  const display = maskSecrets(configured.join(','));
  const list = parseServers(configured);
  const authenticator = settings.credsFile === undefined ? undefined : await readCredentials(settings.credsFile);
  const token = settings.token ?? list.token;

  const connectionOptions: ConnectionOptions = {
    servers: list.servers,
    name: options.name,
    timeout: options.connectTimeoutMs ?? 5000,
    reconnect: true,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: false,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? 2000,
    reconnectJitter: options.reconnectJitterMs ?? 1000,
    reconnectJitterTLS: options.reconnectJitterMs ?? 1000,
    // Requests (JetStream API calls, dead-letter publishes) would otherwise each capture a stack
    // trace that is only used to describe a failure; the adapters describe their failures themselves.
    noAsyncTraces: true,
    // A silent server (its network cut, a partition) gives no error; only missed pings reveal it,
    // and until then every publish through it times out.
    pingInterval: options.pingIntervalMs ?? 2000,
    maxPingOut: options.maxPingsOut ?? 2,
    ...(list.tls ? { tls: {} } : {}),
    ...(token === undefined ? {} : { token }),
    ...(list.user === undefined ? {} : { user: list.user, pass: list.pass }),
    ...(authenticator === undefined ? {} : { authenticator }),
  };

  logger.info(`Connecting to message queue url: ${display}`);
  let nc: NatsConnection;
  try {
    nc = await connect(connectionOptions);
  } catch (error) {
    throw queueUnavailable(`Cannot connect to the message queue at ${display}`, error);
  }
  logger.info('Connected to message queue', { server: nc.getServer() });
  void watchStatus(nc, logger);
  return nc;
}

function parseServers(configured: readonly string[]): ServerList {
  let tls = false;
  let user: string | undefined;
  let pass: string | undefined;
  let token: string | undefined;
  const servers = configured.map((server) => {
    let url: URL;
    try {
      url = new URL(server.includes('://') ? server : `nats://${server}`);
    } catch (error) {
      throw new ConfigurationError('MessageQueue:Url', `MessageQueue:Url = "${maskSecrets(server)}" is not a NATS URL; use nats://host:4222.`, { cause: error });
    }
    if (url.protocol === 'tls:') tls = true;
    if (url.username !== '' && user === undefined && token === undefined) {
      if (url.password === '') {
        token = decodeURIComponent(url.username);
      } else {
        user = decodeURIComponent(url.username);
        pass = decodeURIComponent(url.password);
      }
    }
    return url.host;
  });
  return { servers, tls, user, pass, token };
}

async function readCredentials(path: string): Promise<Authenticator> {
  let creds: Uint8Array;
  try {
    creds = new Uint8Array(await readFile(path));
  } catch (error) {
    throw queueUnavailable(`Cannot read MessageQueue:CredsFile ${path}`, error);
  }
  return credsAuthenticator(creds);
}

async function watchStatus(nc: NatsConnection, logger: ILogger): Promise<void> {
  let attempts = 0;
  void nc.closed().then((error) => {
    if (error) logger.error('Message queue connection closed', { error });
    else logger.info('Message queue connection closed');
  });
  for await (const status of nc.status()) {
    const server = typeof status.data === 'string' ? maskSecrets(status.data) : undefined;
    switch (status.type) {
      case Events.Disconnect:
        attempts = 0;
        logger.warn('Disconnected from message queue; reconnecting', { server });
        break;
      case Events.Reconnect:
        logger.info('Reconnected to message queue', { server, attempts });
        attempts = 0;
        break;
      case DebugEvents.Reconnecting:
        attempts += 1;
        logger.debug('Reconnecting to message queue', { server, attempt: attempts });
        break;
      case DebugEvents.StaleConnection:
        logger.warn('Message queue connection is stale; reconnecting');
        break;
      case Events.LDM:
        logger.warn('Message queue server is shutting down (lame duck mode)', { server });
        break;
      case Events.Error:
        logger.warn('Message queue reported an error', { error: status.data });
        break;
      default:
        break;
    }
  }
}
