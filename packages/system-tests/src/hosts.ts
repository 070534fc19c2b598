import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@signup/test-support/free-port';
import { HostProcess } from './host-process.js';
import { waitUntil } from '@signup/test-support/wait-until';

/** The built `signup-web` entry point. */
export const WEB_MAIN = fileURLToPath(new URL('../../../host-web/dist/src/main.js', import.meta.url));
/** The built `signup-handler` entry point. */
export const HANDLER_MAIN = fileURLToPath(new URL('../../../host-handler/dist/src/main.js', import.meta.url));

let workDirectory: string | undefined;

/**
 * An empty working directory for the hosts, so no `configs/` or `secrets/` of the
 * repository leaks into a test. Removed when the test process exits.
 */
export function hostWorkDirectory(): string {
  if (workDirectory === undefined) {
    const created = mkdtempSync(path.join(tmpdir(), 'signup-system-'));
    workDirectory = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return workDirectory;
}

/** A running `signup-web`. */
export interface WebHost {
  readonly process: HostProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

/**
 * Starts `signup-web` on a free port with exactly this configuration in its
 * environment and resolves once `/health/live` answers.
 *
 * @throws Error with the host's output when it exits or does not answer within the deadline.
 */
export async function startWeb(env: Readonly<Record<string, string>>, name = 'signup-web'): Promise<WebHost> {
  const port = await freePort();
  const host = HostProcess.start({ name, script: WEB_MAIN, env: { Web__Port: String(port), ...env }, cwd: hostWorkDirectory() });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => {
      if (!host.running) throw new Error(`${name} exited`);
      const response = await fetch(`${url}/health/live`);
      return response.ok;
    }, { timeoutMs: 30_000, description: `${name} to answer /health/live` });
  } catch (error) {
    await host.kill();
    throw new Error(`${(error as Error).message}. Output:\n${host.output()}`, { cause: error });
  }
  return { process: host, port, url };
}

/** The line the handler logs once it is subscribed. */
export const LISTENING_LINE = 'Listening on subject: events.prospect.signedup, queue: save-handler';

/**
 * Starts `signup-handler save` with exactly this configuration in its environment
 * and resolves once it logged that it is listening.
 *
 * @throws Error with the host's output when it exits or does not listen within the deadline.
 */
export function startSaveHandler(env: Readonly<Record<string, string>>, name = 'signup-handler'): Promise<HostProcess> {
  return listening(startHandlerProcess(env, name), LISTENING_LINE);
}

/** Resolves with the host once it logged the line; kills it when it does not within 30 s. */
async function listening(host: HostProcess, line: string): Promise<HostProcess> {
  try {
    await host.waitForLine(line, 30_000);
  } catch (error) {
    await host.kill();
    throw error;
  }
  return host;
}

/** The line the index handler logs once it is subscribed. */
export const INDEX_LISTENING_LINE = 'Listening on subject: events.prospect.signedup, queue: index-handler';

/**
 * Starts `signup-handler index` (with `--rebuild` when asked) with exactly this
 * configuration and resolves once it logged that it is listening.
 *
 * @throws Error with the host's output when it exits or does not listen within the deadline.
 */
export function startIndexHandler(env: Readonly<Record<string, string>>, name = 'signup-handler index', options: { rebuild?: boolean } = {}): Promise<HostProcess> {
  return listening(startHandlerProcess(env, name, options.rebuild === true ? ['index', '--rebuild'] : ['index']), INDEX_LISTENING_LINE);
}

/** Starts `signup-handler` with the given arguments without waiting for anything. */
export function startHandlerProcess(env: Readonly<Record<string, string>>, name = 'signup-handler', args: readonly string[] = ['save']): HostProcess {
  return HostProcess.start({ name, script: HANDLER_MAIN, args, env, cwd: hostWorkDirectory() });
}
