import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The compiled `signup-web` entry point. */
export const MAIN_PATH = fileURLToPath(new URL('../../src/main.js', import.meta.url));

const CONFIG_PREFIX = /^(Dependencies|ConnectionStrings|MessageQueue|Database|Web|ReferenceDataApi|Logging|Metrics)(__|:)/i;

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A running `signup-web` child process. */
export interface WebProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `node dist/src/main.js` in `cwd` with the given configuration variables
 * (inherited SignUp settings removed) and resolves once it logs
 * `Now listening on:`. Rejects with the output when it exits or times out first.
 */
export function startWebProcess(cwd: string, env: Readonly<Record<string, string>>, timeoutMs = 20_000): Promise<WebProcess> {
  const inherited = Object.fromEntries(Object.entries(process.env)
    .filter(([name]) => !CONFIG_PREFIX.test(name) && name !== 'PORT' && name !== 'LOG_LEVEL'));
  const child = spawn(process.execPath, [MAIN_PATH], { cwd, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });

  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      void stop().then(() => reject(new Error(`signup-web did not start within ${timeoutMs} ms:\n${output}`)));
    }, timeoutMs);
    const poll = setInterval(() => {
      const match = /Now listening on: (http:\/\/\S+)/.exec(output);
      if (match?.[1] === undefined) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ url: match[1], child, output: () => output, stop });
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`signup-web exited with ${String(code)} before listening:\n${output}`));
    });
  });
}

/** Where headless Chromium is expected. */
export { CHROMIUM_PATH, requireChromium } from '@signup/test-support/chromium';

