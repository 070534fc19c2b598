import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { reservePorts } from './free-port.js';
import { NatsServer } from './nats-server.js';
import { TcpProxy } from './tcp-proxy.js';

/** Options for `NatsCluster.start`. */
export interface NatsClusterOptions {
  /** How many servers. Default 3. */
  readonly size?: number;
  /** The cluster's name (`--cluster_name`). Default `signup-test`. */
  readonly name?: string;
  /**
   * Put a `TcpProxy` on every route (one per direction of every pair of servers) and in
   * front of every server's client port, so `isolate()` can cut one server off the
   * network while it keeps running. Default false: routes and clients connect directly.
   */
  readonly partitionable?: boolean;
  /** How long to wait for the servers to start and elect a meta leader. Default 30000 ms. */
  readonly startTimeoutMs?: number;
}

interface NodePorts {
  readonly name: string;
  readonly client: number;
  readonly cluster: number;
  readonly monitor: number;
  /** Advertised to the other servers when partitionable, so none of them bypasses the route proxies. */
  readonly unused: number;
}

interface Jsz {
  readonly meta_cluster?: { readonly leader?: string; readonly cluster_size?: number };
}

/** Which server leads a stream and which follow it, as JetStream reports it. */
export interface StreamPlacement {
  readonly leader: string;
  readonly replicas: readonly { readonly name: string; readonly current: boolean }[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One server of a `NatsCluster`: its own process, store directory, `server_name`,
 * client, cluster and monitoring ports.
 */
export class NatsClusterNode {
  constructor(
    readonly name: string,
    readonly server: NatsServer,
    readonly monitorPort: number,
    /** The port clients use: the client proxy's when the cluster is partitionable, else the server's. */
    readonly clientPort: number,
    /** Every proxy carrying this server's traffic (client port, routes both ways); empty when not partitionable. */
    readonly proxies: readonly TcpProxy[],
  ) {}

  /** `nats://127.0.0.1:<clientPort>`. */
  get url(): string {
    return `nats://127.0.0.1:${this.clientPort}`;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.server.running;
  }

  /** True while `isolate()` holds it cut off. */
  get isolated(): boolean {
    return this.proxies.some((proxy) => proxy.mode === 'frozen');
  }

  /** The monitoring endpoint's JetStream report (`/jsz`), or undefined when it does not answer. */
  async jsz(): Promise<Jsz | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.monitorPort}/jsz`, { signal: AbortSignal.timeout(1000) });
      return response.ok ? await response.json() as Jsz : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * A JetStream cluster of the machine's `nats-server` for tests: `size` servers on free
 * loopback ports, each with its own store directory (`NatsServer`), a `server_name`
 * (`n1`, `n2`, ...), explicit routes to every other server and a cluster name. It
 * waits for a meta leader before it resolves, and can kill -9, restart or cut off a
 * server, find a stream's leader and make a stream leader step down.
 *
 * With `partitionable`, every route and every client port goes through a `TcpProxy`,
 * and each server advertises its client proxy to clients and an address nothing
 * listens on to other servers, so no connection bypasses the proxies. `isolate(node)`
 * then freezes all of that server's links: it keeps running, but neither the other
 * servers nor its clients hear from it, as when its network link fails.
 */
export class NatsCluster {
  private client: NatsConnection | undefined;

  private constructor(readonly nodes: readonly NatsClusterNode[], private readonly routeProxies: readonly TcpProxy[]) {}

  /** Every server's client URL, comma-separated (`MessageQueue:Url` of a host using the whole cluster). */
  get url(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  /**
   * Starts the servers and resolves once they elected a meta leader.
   *
   * @throws Error when `nats-server` is not installed, a server does not start, or no
   *   meta leader is elected in time (whatever started is stopped again).
   */
  static async start(options: NatsClusterOptions = {}): Promise<NatsCluster> {
    const size = options.size ?? 3;
    const clusterName = options.name ?? 'signup-test';
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const partitionable = options.partitionable ?? false;
    // Per server: client, cluster and monitoring ports, and one that nothing will listen on.
    const reserved = await reservePorts(size * 4);
    const free = reserved.ports;
    const ports: NodePorts[] = [];
    for (let index = 0; index < size; index += 1) {
      const [client, clusterPort, monitor, unused] = free.slice(index * 4, index * 4 + 4) as [number, number, number, number];
      ports.push({ name: `n${index + 1}`, client, cluster: clusterPort, monitor, unused });
    }
    const proxies: TcpProxy[] = [];
    const servers: NatsServer[] = [];
    try {
      // routeProxies[i][j] carries the route server i solicits to server j.
      const routeProxies = new Map<string, TcpProxy>();
      const clientProxies = new Map<string, TcpProxy>();
      if (partitionable) {
        for (const from of ports) {
          clientProxies.set(from.name, await TcpProxy.start('127.0.0.1', from.client));
          for (const to of ports) {
            if (to !== from) routeProxies.set(`${from.name}>${to.name}`, await TcpProxy.start('127.0.0.1', to.cluster));
          }
        }
        proxies.push(...clientProxies.values(), ...routeProxies.values());
      }
      await reserved.release();
      const started = await Promise.all(ports.map(async (node) => {
        const routes = ports.filter((other) => other !== node).map((other) => {
          const proxy = routeProxies.get(`${node.name}>${other.name}`);
          return `nats://127.0.0.1:${proxy?.port ?? other.cluster}`;
        });
        const args = [
          '--server_name', node.name,
          '--cluster_name', clusterName,
          '--cluster', `nats://127.0.0.1:${node.cluster}`,
          '--routes', routes.join(','),
          '-m', String(node.monitor),
        ];
        const clientProxy = clientProxies.get(node.name);
        if (clientProxy !== undefined) {
          args.push('--client_advertise', `127.0.0.1:${clientProxy.port}`, '--cluster_advertise', `127.0.0.1:${node.unused}`);
        }
        const server = await NatsServer.start({ port: node.client, extraArgs: args, startTimeoutMs: timeoutMs });
        servers.push(server);
        const own = [...routeProxies].filter(([key]) => key.split('>').includes(node.name)).map(([, proxy]) => proxy);
        if (clientProxy !== undefined) own.push(clientProxy);
        return new NatsClusterNode(node.name, server, node.monitor, clientProxy?.port ?? node.client, own);
      }));
      const cluster = new NatsCluster(started, [...routeProxies.values()]);
      await cluster.waitForMetaLeader(timeoutMs);
      return cluster;
    } catch (error) {
      await reserved.release();
      await Promise.all(servers.map((server) => server.stop()));
      await Promise.all(proxies.map((proxy) => proxy.close()));
      throw error;
    }
  }

  /** The server named `name` (`n1`, `n2`, ...). */
  node(name: string): NatsClusterNode {
    const found = this.nodes.find((node) => node.name === name);
    if (found === undefined) throw new Error(`No server ${name} in the cluster (${this.nodes.map((node) => node.name).join(', ')})`);
    return found;
  }

  /**
   * Resolves with the name of the meta leader once every running, connected server
   * agrees on one.
   *
   * @throws Error when they do not within `timeoutMs`.
   */
  async waitForMetaLeader(timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let seen: (string | undefined)[] = [];
    while (Date.now() < deadline) {
      const reachable = this.nodes.filter((node) => node.running && !node.isolated);
      seen = await Promise.all(reachable.map(async (node) => (await node.jsz())?.meta_cluster?.leader || undefined));
      const leader = seen[0];
      if (leader !== undefined && seen.every((name) => name === leader)) return leader;
      await sleep(100);
    }
    throw new Error(`No meta leader within ${timeoutMs} ms; the servers name ${JSON.stringify(seen)}`);
  }

  /**
   * Where `stream` lives now. Retries while JetStream is electing (no answer, 503)
   * until `timeoutMs`.
   *
   * @throws Error when the stream has no leader within `timeoutMs`.
   */
  async streamPlacement(stream: string, timeoutMs = 15_000): Promise<StreamPlacement> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const info = await (await this.manager()).streams.info(stream);
        const leader = info.cluster?.leader;
        if (leader !== undefined && leader !== '') {
          return {
            leader,
            replicas: (info.cluster?.replicas ?? []).map((peer) => ({ name: peer.name, current: peer.current })),
          };
        }
        last = 'no leader';
      } catch (error) {
        last = error;
      }
      await sleep(100);
    }
    throw new Error(`Stream ${stream} has no leader after ${timeoutMs} ms`, { cause: last });
  }

  /** The server leading `stream` now (see `streamPlacement`). */
  async streamLeader(stream: string, timeoutMs = 15_000): Promise<NatsClusterNode> {
    return this.node((await this.streamPlacement(stream, timeoutMs)).leader);
  }

  /**
   * Resolves once `stream` is led by a server other than `former` and every replica is current.
   *
   * @throws Error when that does not happen within `timeoutMs`.
   */
  async waitForNewStreamLeader(stream: string, former: string, timeoutMs = 30_000): Promise<NatsClusterNode> {
    const deadline = Date.now() + timeoutMs;
    let placement: StreamPlacement | undefined;
    while (Date.now() < deadline) {
      placement = await this.streamPlacement(stream, Math.max(1, deadline - Date.now())).catch(() => undefined);
      if (placement !== undefined && placement.leader !== former) return this.node(placement.leader);
      await sleep(100);
    }
    throw new Error(`Stream ${stream} is still led by ${former} after ${timeoutMs} ms: ${JSON.stringify(placement)}`);
  }

  /**
   * Resolves once every replica of `stream` is current with its leader (a restarted or
   * healed server has caught up).
   *
   * @throws Error with the last placement seen when that does not happen within `timeoutMs`.
   */
  async waitForCurrentReplicas(stream: string, timeoutMs = 60_000): Promise<StreamPlacement> {
    const deadline = Date.now() + timeoutMs;
    let placement: StreamPlacement | undefined;
    while (Date.now() < deadline) {
      placement = await this.streamPlacement(stream, Math.max(1, deadline - Date.now())).catch(() => undefined);
      if (placement !== undefined && placement.replicas.every((peer) => peer.current)) return placement;
      await sleep(200);
    }
    throw new Error(`Stream ${stream}'s replicas are not current after ${timeoutMs} ms: ${JSON.stringify(placement)}`);
  }

  /**
   * Asks the leader of `stream` to step down (`$JS.API.STREAM.LEADER.STEPDOWN.<stream>`)
   * and resolves with the new leader once one is elected.
   *
   * @throws Error when JetStream refuses, or no new leader is elected within `timeoutMs`.
   */
  async stepDownStreamLeader(stream: string, timeoutMs = 30_000): Promise<NatsClusterNode> {
    const former = (await this.streamPlacement(stream)).leader;
    const reply = await (await this.connection()).request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, undefined, { timeout: 5000 });
    const body = reply.json<{ success?: boolean; error?: { description?: string } }>();
    if (body.success !== true) throw new Error(`Stream ${stream}'s leader did not step down: ${body.error?.description ?? JSON.stringify(body)}`);
    return this.waitForNewStreamLeader(stream, former, timeoutMs);
  }

  /**
   * Asks the meta leader to step down (`$JS.API.META.LEADER.STEPDOWN`) and resolves
   * with the new meta leader.
   */
  async stepDownMetaLeader(timeoutMs = 30_000): Promise<string> {
    const former = await this.waitForMetaLeader(timeoutMs);
    await (await this.connection()).request('$JS.API.META.LEADER.STEPDOWN', undefined, { timeout: 5000 });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const leader = await this.waitForMetaLeader(Math.max(1, deadline - Date.now()));
      if (leader !== former) return leader;
      await sleep(100);
    }
    throw new Error(`${former} is still the meta leader after ${timeoutMs} ms`);
  }

  /** Kills a server at once (SIGKILL), as a crash would; its store stays for `restart`. */
  async kill(node: NatsClusterNode): Promise<void> {
    await node.server.kill();
  }

  /** Starts a killed or stopped server again with its store, ports and routes. */
  async restart(node: NatsClusterNode): Promise<void> {
    await node.server.restart();
  }

  /**
   * Cuts a running server off: every route to and from it and every client connection
   * to it goes silent (nothing is closed; packets just stop), as when its network link
   * fails. Needs a cluster started with `partitionable`.
   */
  isolate(node: NatsClusterNode): void {
    if (node.proxies.length === 0) throw new Error('This cluster was started without `partitionable`; it cannot isolate a server');
    for (const proxy of node.proxies) proxy.freeze();
  }

  /** Ends `isolate`: the server's links carry traffic again. */
  heal(node: NatsClusterNode): void {
    for (const proxy of node.proxies) proxy.restore();
  }

  /** The harness's own connection to the cluster (reconnecting forever, to whichever server is up and reachable). */
  async connection(): Promise<NatsConnection> {
    // Quick pings, so it notices an isolated server within seconds and moves to another.
    this.client ??= await connect({
      servers: this.nodes.map((node) => node.url),
      name: 'nats-cluster-harness',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      pingInterval: 1000,
      maxPingOut: 2,
    });
    return this.client;
  }

  /** Stops every server (removing its store), the harness's connection and every proxy. */
  async stop(): Promise<void> {
    await this.client?.close().catch(() => undefined);
    this.client = undefined;
    await Promise.all(this.nodes.map((node) => node.server.stop()));
    await Promise.all([...this.routeProxies, ...this.nodes.flatMap((node) => node.proxies)].map((proxy) => proxy.close()));
  }

  private async manager(): Promise<JetStreamManager> {
    return (await this.connection()).jetstreamManager({ checkAPI: false, timeout: 2000 });
  }
}
