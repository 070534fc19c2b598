import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Context } from 'mocha';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

/** Options for `NatsServer.start`. */
export interface NatsServerOptions {
  /** Enable JetStream (`-js`). Default true. */
  readonly jetstream?: boolean;
  /** JetStream store directory. Default a new temp dir, removed by `stop()`. */
  readonly storeDir?: string;
  /** Port to listen on. Default a free port. */
  readonly port?: number;
  /** How long to wait for the server to accept connections. Default 10000 ms. */
  readonly startTimeoutMs?: number;
  /** More command-line arguments, e.g. `['--user', 'u', '--pass', 'p']` or `['--auth', 'token']`. */
  readonly extraArgs?: readonly string[];
}

const EXTRA_LOCATIONS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];

/** The path of the `nats-server` binary (PATH first, then the usual sbin/bin folders), or undefined. */
export function findNatsServer(): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(delimiter).filter((folder) => folder !== ''), ...EXTRA_LOCATIONS];
  for (const folder of folders) {
    const candidate = join(folder, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * Skips the calling suite when `nats-server` is not installed, after printing one
 * line saying how to install it. When `CI` is set a missing server fails instead,
 * so CI never passes by skipping.
 */
export function requireNatsServer(ctx: Context): void {
  if (findNatsServer() !== undefined) return;
  const message = 'nats-server not found; install it (apt-get install nats-server) to run the NATS tests';
  if (process.env.CI) throw new Error(message);
  console.log(message);
  ctx.skip();
}

/**
 * A private `nats-server` for one test suite: `-js -a 127.0.0.1 -p <port> -sd <dir>`
 * on a free port with a temp store, so tests can stop, kill and restart it without
 * touching any shared server.
 */
export class NatsServer {
  private process: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    private readonly binary: string,
    readonly port: number,
    readonly storeDir: string,
    private readonly jetstream: boolean,
    private readonly ownsStoreDir: boolean,
    private readonly startTimeoutMs: number,
    private readonly extraArgs: readonly string[],
  ) {}

  /** `nats://127.0.0.1:<port>`. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** True while the server process runs. */
  get running(): boolean {
    return this.process !== undefined;
  }

  /**
   * Starts a server and resolves once it accepts connections.
   *
   * @throws Error when `nats-server` is not installed or does not start in time.
   */
  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const binary = findNatsServer();
    if (binary === undefined) throw new Error('nats-server not found; install it (apt-get install nats-server)');
    const storeDir = options.storeDir ?? await mkdtemp(join(tmpdir(), 'signup-nats-'));
    const port = options.port ?? await freePort();
    const server = new NatsServer(binary, port, storeDir, options.jetstream ?? true, options.storeDir === undefined,
      options.startTimeoutMs ?? 10_000, options.extraArgs ?? []);
    await server.launch();
    return server;
  }

  /**
   * Stops the server (SIGTERM, then SIGKILL if it lingers) and waits for it to exit.
   * Removes the store directory it created unless `keepStore` is set.
   */
  async stop(options: { keepStore?: boolean } = {}): Promise<void> {
    await this.terminate('SIGTERM');
    if (this.ownsStoreDir && !options.keepStore) {
      await rm(this.storeDir, { recursive: true, force: true });
    }
  }

  /** Kills the server at once (SIGKILL), as a crash would; the store stays for `restart()`. */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open but nothing answers, like a hung server or a silent network.
   * Resolves once every thread of the server has stopped. The kernel stops a process only when the thread it
   * chose for the signal next gets a CPU; on a busy machine its other threads meanwhile go on reading, storing
   * and acknowledging, so a message sent right after the signal could still be answered. (Only Linux shows the
   * threads' states, in /proc; elsewhere it resolves once the signal is sent.)
   *
   * @throws Error when the server has not stopped within 5 s.
   */
  async pause(): Promise<void> {
    const child = this.process;
    const pid = child?.pid;
    if (child === undefined || pid === undefined) return;
    child.kill('SIGSTOP');
    if (process.platform !== 'linux') return;
    await waitUntil(async () => this.process !== child || await allThreadsStopped(pid),
      { intervalMs: 1, timeoutMs: 5000, description: `nats-server (pid ${pid}) to stop after SIGSTOP` });
  }

  /** Lets a paused server run again (SIGCONT). */
  resume(): void {
    this.process?.kill('SIGCONT');
  }

  /** Stops the server if it runs (keeping the store) and starts it again on the same port with the same store. */
  async restart(): Promise<void> {
    await this.terminate('SIGTERM');
    await this.launch();
  }

  private async launch(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port)];
    if (this.jetstream) args.push('-js', '-sd', this.storeDir);
    args.push(...this.extraArgs);
    const child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      output = (output + chunk).slice(-4000);
    });
    this.process = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.process === child) this.process = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + this.startTimeoutMs;
    while (!(await accepts(this.port))) {
      if (this.process !== child || Date.now() > deadline) {
        child.kill('SIGKILL');
        await this.exited;
        throw new Error(`nats-server did not start on port ${this.port}: ${output.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (child === undefined) return;
    child.kill('SIGCONT');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** True when every thread of `pid` is stopped (state `T` in /proc/<pid>/task/<tid>/stat). */
async function allThreadsStopped(pid: number): Promise<boolean> {
  const threads = await readdir(`/proc/${pid}/task`);
  const states = await Promise.all(threads.map(async (tid) => {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // "<tid> (<command>) <state> ...": the command may hold spaces and parentheses, the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
  }));
  return states.every((state) => state === 'T');
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
