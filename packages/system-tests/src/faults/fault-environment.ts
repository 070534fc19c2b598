import { JetStreamDeadLetterStore, SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { SAVE_HANDLER_NAME } from '@signup/domain';
import { NatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, type TestDatabase } from '@signup/test-support/postgres';
import { TcpProxy } from '@signup/test-support/tcp-proxy';
import { connect, type NatsConnection } from 'nats';
import type { HostProcess } from '../host-process.js';
import { startIndexHandler, startSaveHandler, startWeb, type WebHost } from '../hosts.js';
import { waitUntil } from '../wait-until.js';
import { DeliveryAudit } from './delivery-audit.js';

/** What a scenario needs besides its own nats-server and database. */
export interface FaultEnvironmentOptions {
  /** Put a `TcpProxy` in front of the database, for the hosts that should lose it. */
  readonly databaseProxy?: boolean;
}

/** Which way a host reaches the database. */
export type DatabaseRoute = 'direct' | 'proxy';

/** A handler's durable consumer, as JetStream reports it. */
export interface ConsumerState {
  /** Messages of the stream not delivered yet. */
  readonly pending: number;
  /** Delivered and waiting for an acknowledgement. */
  readonly ackPending: number;
  /** Messages delivered more than once, among those not acknowledged yet. */
  readonly redelivered: number;
}

/**
 * Everything one fault scenario runs against: its own `nats-server -js` (with a
 * store directory that survives a restart), a throwaway PostgreSQL database,
 * optionally a `TcpProxy` in front of that database, the test's own NATS client,
 * and every host process the scenario starts, so `close()` can stop them all
 * (SIGTERM, SIGKILL after a grace period) and remove the rest.
 */
export class FaultEnvironment {
  private readonly hosts: HostProcess[] = [];
  private readonly webs: WebHost[] = [];
  private connection: NatsConnection | undefined;
  /** Compares the accepted sign-ups with the database (read directly) and counts the dead letters. */
  readonly audit: DeliveryAudit;

  private constructor(readonly nats: NatsServer, readonly database: TestDatabase, readonly proxy: TcpProxy | undefined) {
    this.audit = new DeliveryAudit(database.url, async () => (await this.deadLetters()).count());
  }

  /**
   * Starts the nats-server, creates the database and, when asked, the proxy.
   *
   * @throws Error when one of them cannot start (whatever started is stopped again).
   */
  static async start(options: FaultEnvironmentOptions = {}): Promise<FaultEnvironment> {
    const nats = await NatsServer.start({ jetstream: true });
    let database: TestDatabase | undefined;
    let proxy: TcpProxy | undefined;
    try {
      database = await createTestDatabase();
      if (options.databaseProxy === true) {
        const target = new URL(database.url);
        proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
      }
      return new FaultEnvironment(nats, database, proxy);
    } catch (error) {
      await proxy?.close();
      await database?.drop();
      await nats.stop();
      throw error;
    }
  }

  /** The database's URL, straight or through the proxy. */
  databaseUrl(route: DatabaseRoute = 'direct'): string {
    if (route === 'direct') return this.database.url;
    if (this.proxy === undefined) throw new Error('This environment was started without a database proxy');
    const url = new URL(this.database.url);
    url.hostname = '127.0.0.1';
    url.port = String(this.proxy.port);
    return url.href;
  }

  /** Starts `signup-web` in asynchronous mode on this environment's NATS. */
  async startAsynchronousWeb(name = 'signup-web'): Promise<WebHost> {
    return this.track(await startWeb({
      Dependencies__IProspectSaveHandler: 'AsynchronousProspectSaveHandler',
      MessageQueue__Url: this.nats.url,
      MessageQueue__Mode: 'jetstream',
      ConnectionStrings__SignUpDb: this.databaseUrl(),
      Database__Migrate: 'true',
    }, name));
  }

  /** Starts `signup-web` in synchronous mode (no NATS) on the database by the given route. */
  async startSynchronousWeb(route: DatabaseRoute, name = 'signup-web'): Promise<WebHost> {
    return this.track(await startWeb({
      Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler',
      ConnectionStrings__SignUpDb: this.databaseUrl(route),
      Database__Migrate: 'true',
    }, name));
  }

  /** Starts `signup-handler save` and resolves once it listens. */
  async startHandler(name: string, route: DatabaseRoute = 'direct'): Promise<HostProcess> {
    return this.trackHandler(await startSaveHandler(this.handlerEnvironment(route), name));
  }

  /** Starts `signup-handler index` (the SQL read model in this environment's database) and resolves once it listens. */
  async startIndexHandler(name: string): Promise<HostProcess> {
    return this.trackHandler(await startIndexHandler(this.handlerEnvironment('direct'), name));
  }

  /** The test's own connection (reconnecting forever, so it outlives a server restart). */
  async client(): Promise<NatsConnection> {
    this.connection ??= await connect({ servers: this.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    return this.connection;
  }

  /** The dead-letter stream, through the test's client. */
  async deadLetters(): Promise<JetStreamDeadLetterStore> {
    return new JetStreamDeadLetterStore(await this.client());
  }

  /** A handler's consumer now (the save handler's by default). */
  async consumerState(handler: string = SAVE_HANDLER_NAME): Promise<ConsumerState> {
    const jsm = await (await this.client()).jetstreamManager({ checkAPI: false });
    const info = await jsm.consumers.info(SIGNUP_EVENTS_STREAM, handler);
    return { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
  }

  /**
   * Resolves once a handler's consumer (the save handler's by default) has delivered
   * every message and has no acknowledgement outstanding: nothing more can reach the database.
   *
   * @throws Error with the last state seen when the deadline passes.
   */
  async waitForQuiescence(timeoutMs: number, handler: string = SAVE_HANDLER_NAME): Promise<void> {
    let last: ConsumerState | undefined;
    try {
      await waitUntil(async () => {
        last = await this.consumerState(handler);
        return last.pending === 0 && last.ackPending === 0;
      }, { timeoutMs, intervalMs: 250, description: `the ${handler} consumer to be drained and fully acknowledged` });
    } catch (error) {
      throw new Error(`The ${handler} consumer is not quiescent after ${timeoutMs} ms: ${JSON.stringify(last)}`, { cause: error });
    }
  }

  /** Stops every host (gracefully, then by force), closes the client, the audit and the proxy, drops the database and stops nats-server. */
  async close(): Promise<void> {
    await Promise.all([...this.hosts.map((host) => host.stop(10_000)), ...this.webs.map((web) => web.process.stop(10_000))]);
    await this.connection?.close().catch(() => undefined);
    await this.audit.close();
    await this.proxy?.close();
    await this.database.drop();
    await this.nats.stop();
  }

  private handlerEnvironment(route: DatabaseRoute): Record<string, string> {
    return {
      MessageQueue__Url: this.nats.url,
      MessageQueue__Mode: 'jetstream',
      ConnectionStrings__SignUpDb: this.databaseUrl(route),
      Database__Migrate: 'true',
    };
  }

  private trackHandler(host: HostProcess): HostProcess {
    this.hosts.push(host);
    return host;
  }

  private track(web: WebHost): WebHost {
    this.webs.push(web);
    return web;
  }
}
