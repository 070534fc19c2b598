import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import pg from 'pg';

// /proc/<pid>/stat counts in clock ticks; USER_HZ is 100 on every Linux ABI node runs on.
const TICKS_PER_SECOND = 100;
const POSTGRES_BACKGROUND = ['walwriter', 'checkpointer', 'background writer'];

/** CPU seconds (user + system) a process has used so far, or undefined when it is gone. */
function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine so far (all cores). */
function machineCpuSeconds() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle + iowait) / TICKS_PER_SECOND };
}

/**
 * The pid of the nats-server listening on `port` (found by its command line), or undefined.
 *
 * @param {number} port
 */
export function natsServerPid(port) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0]?.endsWith('nats-server') && args.includes(String(port))) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

/**
 * Measures where the CPU went during a window: the seconds of CPU each named
 * process used (PostgreSQL counted as the backends connected to the benchmark's
 * database plus the server's WAL writer, checkpointer and background writer),
 * the machine's busy time over all cores, and the rest ("other": processes that
 * are not part of the benchmark).
 */
export class CpuMeter {
  /**
   * @param {{ processes: Record<string, number | undefined>, databaseUrl?: string }} options
   *   pids to follow by name (`bench` is this process); the database whose backends count as PostgreSQL
   */
  constructor({ processes, databaseUrl }) {
    this.processes = { bench: process.pid, ...processes };
    this.databaseUrl = databaseUrl;
    this.before = undefined;
  }

  async postgresPids() {
    if (this.databaseUrl === undefined) return [];
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        'select pid from pg_stat_activity where (datname = current_database() and pid <> pg_backend_pid()) or backend_type = any($1)',
        [POSTGRES_BACKGROUND],
      );
      return rows.map((row) => Number(row.pid));
    } finally {
      await client.end();
    }
  }

  async snapshot() {
    const postgres = new Map();
    for (const pid of await this.postgresPids()) postgres.set(pid, processCpuSeconds(pid));
    const named = {};
    for (const [name, pid] of Object.entries(this.processes)) named[name] = pid === undefined ? undefined : processCpuSeconds(pid);
    return { at: performance.now(), machine: machineCpuSeconds(), named, postgres };
  }

  async start() {
    this.before = await this.snapshot();
  }

  /**
   * CPU seconds used since `start()`, by process, with the window's length and the machine's busy share.
   *
   * @returns {Promise<{ windowS: number, machineBusyPercent: number, cpuSeconds: Record<string, number> }>}
   */
  async stop() {
    const after = await this.snapshot();
    const before = this.before;
    const cpuSeconds = {};
    let ours = 0;
    for (const name of Object.keys(after.named)) {
      const end = after.named[name];
      if (end === undefined) continue;
      cpuSeconds[name] = end - (before.named[name] ?? 0);
      ours += cpuSeconds[name];
    }
    let postgres = 0;
    for (const [pid, end] of after.postgres) {
      if (end !== undefined) postgres += end - (before.postgres.get(pid) ?? 0);
    }
    cpuSeconds.postgres = postgres;
    ours += postgres;
    const machineBusy = after.machine.busy - before.machine.busy;
    cpuSeconds.other = Math.max(0, machineBusy - ours);
    return {
      windowS: (after.at - before.at) / 1000,
      machineBusyPercent: (100 * machineBusy) / (after.machine.total - before.machine.total),
      cpuSeconds,
    };
  }
}
