import { JetStreamDeadLetterStore, SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { SAVE_HANDLER_NAME } from '@signup/domain';
import { NatsCluster, type NatsClusterOptions } from '@signup/test-support/nats-cluster';
import { NatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, type TestDatabase } from '@signup/test-support/postgres';
import { TcpProxy } from '@signup/test-support/tcp-proxy';
import { connect, type NatsConnection } from 'nats';
import type { HostProcess } from '../host-process.js';
import { startIndexHandler, startSaveHandler, startWeb, type WebHost } from '../hosts.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { DeliveryAudit } from './delivery-audit.js';

/** What a scenario needs besides its own nats-server and database. */
export interface FaultEnvironmentOptions {
  /** Put a `TcpProxy` in front of the database, for the hosts that should lose it. */
  readonly databaseProxy?: boolean;
  /**
   * Run on a `NatsCluster` (three servers unless told otherwise) instead of one
   * nats-server; the hosts get every server in `MessageQueue:Url` and
   * `MessageQueue:Replicas` = the cluster's size.
   */
  readonly cluster?: NatsClusterOptions;
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
 * store directory that survives a restart) or its own `NatsCluster`, a throwaway PostgreSQL database,
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

  private constructor(
    private readonly server: NatsServer | undefined,
    /** The cluster, when the environment was started with `cluster`. */
    readonly cluster: NatsCluster | undefined,
    readonly database: TestDatabase,
    readonly proxy: TcpProxy | undefined,
  ) {
    this.audit = new DeliveryAudit(database.url, async () => (await this.deadLetters()).count());
  }

  /** The single nats-server. */
  get nats(): NatsServer {
    if (this.server === undefined) throw new Error('This environment runs on a cluster; use `cluster`');
    return this.server;
  }

  /** `MessageQueue:Url` for the hosts: the server, or every server of the cluster. */
  get natsUrl(): string {
    return this.cluster?.url ?? this.nats.url;
  }

  private get messageQueueEnv(): Record<string, string> {
    return {
      MessageQueue__Mode: 'jetstream',
      ...(this.cluster === undefined ? {} : { MessageQueue__Replicas: String(this.cluster.nodes.length) }),
    };
  }

  /**
   * Starts the nats-server, creates the database and, when asked, the proxy.
   *
   * @throws Error when one of them cannot start (whatever started is stopped again).
   */
  static async start(options: FaultEnvironmentOptions = {}): Promise<FaultEnvironment> {
    const cluster = options.cluster === undefined ? undefined : await NatsCluster.start(options.cluster);
    const nats = cluster === undefined ? await NatsServer.start({ jetstream: true }) : undefined;
    let database: TestDatabase | undefined;
    let proxy: TcpProxy | undefined;
    try {
      database = await createTestDatabase();
      if (options.databaseProxy === true) {
        const target = new URL(database.url);
        proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
      }
      return new FaultEnvironment(nats, cluster, database, proxy);
    } catch (error) {
      await proxy?.close();
      await database?.drop();
      await nats?.stop();
      await cluster?.stop();
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

  /** Starts `signup-web` in asynchronous mode on this environment's NATS (`natsUrl`, unless given another). */
  async startAsynchronousWeb(name = 'signup-web', natsUrl = this.natsUrl): Promise<WebHost> {
    return this.track(await startWeb({
      Dependencies__IProspectSaveHandler: 'AsynchronousProspectSaveHandler',
      MessageQueue__Url: natsUrl,
      ...this.messageQueueEnv,
      ConnectionStrings__SignUpDb: this.databaseUrl(),
      Database__Migrate: 'true',
    }, name));
  }

  /** Starts `signup-web` in synchronous mode (no NATS, no outbox: the plain save) on the database by the given route. */
  async startSynchronousWeb(route: DatabaseRoute, name = 'signup-web'): Promise<WebHost> {
    return this.track(await startWeb({
      Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler',
      ConnectionStrings__SignUpDb: this.databaseUrl(route),
      Database__Migrate: 'true',
      Outbox__Enabled: 'false',
    }, name));
  }

  /**
   * Starts `signup-web` in synchronous mode with the transactional outbox (its default with
   * `MessageQueue:Url`): it saves to the database and its relay publishes to this environment's NATS.
   */
  async startOutboxWeb(name = 'signup-web'): Promise<WebHost> {
    return this.track(await startWeb({
      Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler',
      MessageQueue__Url: this.natsUrl,
      ...this.messageQueueEnv,
      ConnectionStrings__SignUpDb: this.databaseUrl(),
      Database__Migrate: 'true',
    }, name));
  }

  /** How many messages `SIGNUP_EVENTS` holds: each published event once, whatever the duplicate window absorbed. */
  async streamMessageCount(): Promise<number> {
    const jsm = await (await this.client()).jetstreamManager({ checkAPI: false });
    return (await jsm.streams.info(SIGNUP_EVENTS_STREAM)).state.messages;
  }

  /**
   * Starts `signup-handler save` on `natsUrl` (default this environment's) and resolves once it listens;
   * `env` adds settings (its metrics server, for example).
   */
  async startHandler(name: string, route: DatabaseRoute = 'direct', natsUrl = this.natsUrl, env: Readonly<Record<string, string>> = {}): Promise<HostProcess> {
    return this.trackHandler(await startSaveHandler({ ...this.handlerEnvironment(route, natsUrl), ...env }, name));
  }

  /** Starts `signup-handler index` (the SQL read model in this environment's database) and resolves once it listens. */
  async startIndexHandler(name: string): Promise<HostProcess> {
    return this.trackHandler(await startIndexHandler(this.handlerEnvironment('direct', this.natsUrl), name));
  }

  /** The test's own connection (reconnecting forever, so it outlives a server restart). */
  async client(): Promise<NatsConnection> {
    if (this.cluster !== undefined) return this.cluster.connection();
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

  /** Stops every host (gracefully, then by force), closes the client, the audit and the proxy, drops the database and stops NATS. */
  async close(): Promise<void> {
    await Promise.all([...this.hosts.map((host) => host.stop(10_000)), ...this.webs.map((web) => web.process.stop(10_000))]);
    await this.connection?.close().catch(() => undefined);
    await this.audit.close();
    await this.proxy?.close();
    await this.database.drop();
    await this.server?.stop();
    await this.cluster?.stop();
  }

  private handlerEnvironment(route: DatabaseRoute, natsUrl: string): Record<string, string> {
    return {
      MessageQueue__Url: natsUrl,
      ...this.messageQueueEnv,
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
