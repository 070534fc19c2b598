import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';

const BASE_ENV_KEYS = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
const TAIL_BYTES = 16 * 1024;

let workDirectory;
let started = 0;

/** An empty working directory, so no `configs/` or `secrets/` of the checkout leaks into a host under test. */
function emptyWorkDirectory() {
  if (workDirectory === undefined) {
    const created = mkdtempSync(path.join(tmpdir(), 'signup-bench-'));
    workDirectory = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return workDirectory;
}

/**
 * A node script running as a child process with exactly the given environment
 * (plus PATH and HOME). Its standard output and error go to a log file, as a
 * container runtime would take them: writing never waits for the benchmark
 * process to read (a pipe to a busy load generator would block the host). Lets
 * the caller wait for a line, shows the end of the log in error messages, reads
 * the peak resident set size from /proc, and stops the process with SIGTERM so
 * `--cpu-prof` profiles get written.
 */
export class NodeProcess {
  /**
   * @param {object} options
   * @param {string} options.name shown in messages
   * @param {string} options.script the script node runs
   * @param {string[]} [options.args]
   * @param {Record<string, string>} [options.env]
   * @param {string[]} [options.nodeArgs] e.g. `['--cpu-prof', '--cpu-prof-dir=...']`
   */
  constructor({ name, script, args = [], env = {}, nodeArgs = [] }) {
    this.name = name;
    this.exitInfo = undefined;
    const baseEnv = {};
    for (const key of BASE_ENV_KEYS) {
      if (process.env[key] !== undefined) baseEnv[key] = process.env[key];
    }
    started += 1;
    this.logFile = path.join(emptyWorkDirectory(), `${started}-${name.replace(/[^\w-]+/g, '-')}.log`);
    const log = openSync(this.logFile, 'a');
    this.startedAt = performance.now();
    try {
      this.child = spawn(process.execPath, [...nodeArgs, script, ...args], {
        cwd: emptyWorkDirectory(),
        env: { ...baseEnv, ...env },
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get pid() {
    return this.child.pid;
  }

  get running() {
    return this.exitInfo === undefined;
  }

  /** The end of what the process printed, for an error message. */
  output() {
    try {
      const size = statSync(this.logFile).size;
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      const fd = openSync(this.logFile, 'r');
      try {
        readSync(fd, buffer, 0, length, size - length);
      } finally {
        closeSync(fd);
      }
      return buffer.toString('utf8');
    } catch {
      return '';
    }
  }

  /**
   * Resolves with the time (performance.now()) at which a line matching `pattern`
   * was found in the log (polled every 10 ms; for start-up lines, not for timing).
   *
   * @param {RegExp} pattern
   * @param {number} [timeoutMs]
   * @returns {Promise<number>}
   */
  async waitForLine(pattern, timeoutMs = 30_000) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (readFileSync(this.logFile, 'utf8').split('\n').some((line) => pattern.test(line))) return performance.now();
      if (!this.running) throw new Error(`${this.name} exited (${JSON.stringify(this.exitInfo)}) before printing ${String(pattern)}:\n${this.output()}`);
      if (performance.now() > deadline) throw new Error(`${this.name} did not print ${String(pattern)} within ${timeoutMs} ms:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Peak resident set size so far (VmHWM), in MiB; undefined once the process is gone. */
  peakRssMb() {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
      return match === null ? undefined : Number(match[1]) / 1024;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM (graceful), then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 15_000) {
    if (!this.running) return this.exitInfo;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
