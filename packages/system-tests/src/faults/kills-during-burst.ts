import type { HostProcess } from '../host-process.js';
import { waitUntil } from '@signup/test-support/wait-until';
import type { SignUpLedger } from './sign-up-ledger.js';

/** How `killDuringBurst` kills a handler and starts the next one. */
export interface KillsDuringBurstOptions {
  /** The burst's ledger: kill n happens once n/(kills + 1) of the sign-ups were attempted. */
  readonly ledger: SignUpLedger;
  readonly signUps: number;
  readonly kills: number;
  /** The handlers so far; the last one is killed and the next one appended. */
  readonly handlers: HostProcess[];
  /** A line the handler logs once it stored something; each kill waits for one. */
  readonly storedLine: string;
  /** What the handler has in hand: events it received and did not store yet. */
  readonly inHand: (host: HostProcess) => readonly string[];
  /** When true, each kill waits (up to 5 s, polling closely) until the handler has events in hand. */
  readonly midBatch?: boolean;
  /** Starts the next handler, the n-th (2, 3, ...). */
  readonly restart: (n: number) => Promise<HostProcess>;
  /** Whether the burst has finished; a kill after it would test nothing. */
  readonly burstDone: () => boolean;
}

/**
 * Kills the running handler with SIGKILL `kills` times during a burst of sign-ups,
 * restarting it after each kill, and resolves with how many events it had in hand at
 * each kill.
 *
 * @throws Error when the burst ends before a kill, or a kill did not end the process by SIGKILL.
 */
export async function killDuringBurst(options: KillsDuringBurstOptions): Promise<number[]> {
  const { ledger, signUps, kills, handlers } = options;
  const inHandAtEachKill: number[] = [];
  for (let kill = 1; kill <= kills; kill += 1) {
    const current = handlers[handlers.length - 1]!;
    await waitUntil(() => ledger.attempts.length >= (kill * signUps) / (kills + 1), { timeoutMs: 60_000, intervalMs: 20 });
    await current.waitForLine(options.storedLine, 30_000);
    if (options.midBatch === true) {
      // If no batch is caught in flight within 5 s the kill happens anyway; the figure says so.
      await waitUntil(() => options.inHand(current).length > 0, { timeoutMs: 5_000, intervalMs: 2 }).catch(() => undefined);
    }
    if (options.burstDone()) throw new Error(`The burst ended before kill ${kill}`);
    const exit = await current.kill();
    if (exit.signal !== 'SIGKILL') throw new Error(`Kill ${kill} ended the handler with ${JSON.stringify(exit)}, not SIGKILL`);
    inHandAtEachKill.push(options.inHand(current).length);
    handlers.push(await options.restart(kill + 1));
  }
  return inHandAtEachKill;
}
