/* global fetch */
import { freePort } from '@signup/test-support/free-port';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { fileURLToPath, URL } from 'node:url';
import { NodeProcess } from './node-process.js';

/** The built `signup-web` entry point. */
export const WEB_MAIN = fileURLToPath(new URL('../../packages/host-web/dist/src/main.js', import.meta.url));
/** The built `signup-handler` entry point. */
export const HANDLER_MAIN = fileURLToPath(new URL('../../packages/host-handler/dist/src/main.js', import.meta.url));
/** The bare Koa app the web tier is compared with. */
export const BARE_KOA_MAIN = fileURLToPath(new URL('../bare-koa-server.js', import.meta.url));
/** The one-row-per-message save handler the drain is compared with. */
export const NAIVE_HANDLER_MAIN = fileURLToPath(new URL('../naive-save-handler.js', import.meta.url));

/** signup-web's app over a publisher that does nothing (what-if). */
export const WEB_WITHOUT_QUEUE_MAIN = fileURLToPath(new URL('../what-if/web-without-queue.js', import.meta.url));

/**
 * Polls `probe` until it returns something other than undefined.
 *
 * @template T
 * @param {() => Promise<T | undefined>} probe
 * @param {{ timeoutMs?: number, intervalMs?: number, what: string }} options
 * @returns {Promise<T>}
 */
export async function waitUntil(probe, { timeoutMs = 30_000, intervalMs = 50, what }) {
  const deadline = performance.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}${lastError instanceof Error ? ` (${lastError.message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Starts a web server script on a free port and resolves once `readyPath` answers 200.
 *
 * @param {{ name: string, script?: string, env: Record<string, string>, nodeArgs?: string[], readyPath?: string }} options
 * @returns {Promise<{ process: NodeProcess, url: string }>}
 */
export async function startWebProcess({ name, script = WEB_MAIN, env, nodeArgs = [], readyPath = '/health/live' }) {
  const port = await freePort();
  const child = new NodeProcess({ name, script, env: { Web__Port: String(port), ...env }, nodeArgs });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => {
      if (!child.running) throw new Error(`${name} exited`);
      const response = await fetch(`${url}${readyPath}`);
      await response.arrayBuffer();
      return response.ok ? true : undefined;
    }, { what: `${name} to answer ${readyPath}` });
  } catch (error) {
    await child.stop(1000);
    throw new Error(`${error.message}\n${child.output()}`, { cause: error });
  }
  return { process: child, url };
}

/**
 * Starts a save handler script and resolves once it printed that it listens, or,
 * when `listening` is given (a handler that logs at warn level prints no such
 * line), once that probe says so.
 *
 * @param {{ name: string, script?: string, args?: string[], env: Record<string, string>, nodeArgs?: string[],
 *   listening?: () => Promise<boolean | undefined> }} options
 * @returns {Promise<{ process: NodeProcess, listeningAt: number }>}
 */
export async function startHandlerProcess({ name, script = HANDLER_MAIN, args = ['save'], env, nodeArgs = [], listening }) {
  const child = new NodeProcess({ name, script, args, env, nodeArgs });
  try {
    const listeningAt = listening === undefined
      ? await child.waitForLine(/Listening on subject/, 30_000)
      : await waitUntil(async () => {
        if (!child.running) throw new Error(`${name} exited:\n${child.output()}`);
        return (await listening()) ? performance.now() : undefined;
      }, { what: `${name} to listen`, intervalMs: 5 });
    return { process: child, listeningAt };
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
}
