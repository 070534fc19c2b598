import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How to start a host process. */
export interface HostProcessOptions {
  /** Shown in error messages. */
  readonly name: string;
  /** The script node runs. */
  readonly script: string;
  readonly args?: readonly string[];
  /** The whole environment of the child, on top of PATH and HOME; nothing else leaks in from the test run. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /**
   * Runs the process in a process group of its own and sends signals to the whole group,
   * as a terminal does: for a launcher such as `npx`, whose child would otherwise outlive it.
   */
  readonly processGroup?: boolean;
}

/** How a process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const BASE_ENV_KEYS = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

/**
 * A host (`signup-web`, `signup-handler`) running as a child node process. Collects
 * every line it writes to stdout and stderr, lets a test wait for a line, and stops
 * it with SIGTERM (graceful) or SIGKILL.
 */
export class HostProcess {
  /** Every line written so far, stdout and stderr interleaved as they arrived. */
  readonly lines: string[] = [];
  readonly stderrLines: string[] = [];
  /** Resolves when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private exitInfo: ProcessExit | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly options: HostProcessOptions) {
    const env: Record<string, string> = {};
    for (const key of BASE_ENV_KEYS) {
      const value = process.env[key];
      if (value !== undefined) env[key] = value;
    }
    this.child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
      cwd: options.cwd,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.processGroup === true,
    });
    this.collect(this.child.stdout, false);
    this.collect(this.child.stderr, true);
    this.exited = new Promise<ProcessExit>((resolve) => {
      // 'close' rather than 'exit': it comes after stdout and stderr ended, so no line is missed.
      this.child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        this.notify();
        resolve(this.exitInfo);
      });
      this.child.once('error', (error) => {
        this.lines.push(`spawn failed: ${error.message}`);
        this.exitInfo = { code: null, signal: null };
        this.notify();
        resolve(this.exitInfo);
      });
    });
  }

  /** Starts the process. Returns at once; wait for a line or a port to know it is up. */
  static start(options: HostProcessOptions): HostProcess {
    return new HostProcess(options);
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process exits. */
  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Everything written so far, one line each. */
  output(): string {
    return this.lines.join('\n');
  }

  /** The lines so far that contain the text or match the pattern. */
  matching(pattern: string | RegExp): string[] {
    return this.lines.filter((line) => matches(line, pattern));
  }

  /**
   * Resolves with the first line (already written or still to come) that matches.
   *
   * @throws Error with the collected output when the process exits first or the deadline passes.
   */
  waitForLine(pattern: string | RegExp, timeoutMs = 30_000): Promise<string> {
    return this.waitFor(() => this.lines.find((line) => matches(line, pattern)), `a line matching ${String(pattern)}`, timeoutMs);
  }

  /** Resolves once `count` lines match. */
  waitForLines(pattern: string | RegExp, count: number, timeoutMs = 30_000): Promise<string[]> {
    return this.waitFor(() => {
      const found = this.matching(pattern);
      return found.length >= count ? found : undefined;
    }, `${count} lines matching ${String(pattern)}`, timeoutMs);
  }

  /** Sends SIGTERM and resolves with how the process exited; SIGKILLs it if it has not exited by the deadline. */
  async stop(timeoutMs = 20_000): Promise<ProcessExit> {
    if (!this.running) return this.exitInfo!;
    this.send('SIGTERM');
    const timer = setTimeout(() => this.send('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a signal without waiting. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.send(signal);
  }

  /** SIGKILL: no chance to finish anything. */
  async kill(): Promise<ProcessExit> {
    if (this.running) this.send('SIGKILL');
    return this.exited;
  }

  private send(signal: NodeJS.Signals): void {
    const { pid } = this.child;
    if (this.options.processGroup === true && pid !== undefined) {
      try {
        process.kill(-pid, signal);
      } catch {
        // the group is gone already
      }
      return;
    }
    this.child.kill(signal);
  }

  private waitFor<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const found = probe();
        if (found !== undefined) {
          finish();
          resolve(found);
        } else if (!this.running) {
          finish();
          reject(new Error(`${this.name} exited (${describeExit(this.exitInfo!)}) before ${what}. Output:\n${this.output()}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms. Output:\n${this.output()}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  private collect(stream: NodeJS.ReadableStream | null, isStderr: boolean): void {
    if (stream === null) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      this.lines.push(line);
      if (isStderr) this.stderrLines.push(line);
      this.notify();
    });
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }
}

function matches(line: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line);
}

function describeExit(exit: ProcessExit): string {
  return exit.signal === null ? `code ${String(exit.code)}` : `signal ${exit.signal}`;
}
