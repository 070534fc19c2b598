import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ILogger } from '@signup/domain';
import { ConfigurationError } from '@signup/adapters/config';
import type { AnalyticsCredentials } from './web-app-dependencies.js';

/** Where the all-in-one writes a generated password when its output is not a terminal, relative to the working directory. */
export const GENERATED_PASSWORD_FILE = path.join('data', 'analytics-password');

/** How the host decides on the analytics credentials (docs/analytics.md, Access). */
export interface AnalyticsCredentialsPolicy {
  /** Generate a password when none is configured (the all-in-one); otherwise the analytics stay off without one. */
  readonly generatePassword: boolean;
  /** Makes the generated password; by default 24 random URL-safe characters. */
  readonly generate?: () => string;
  /**
   * Whether standard output is a terminal, where a person reads the password; by default
   * `process.stdout.isTTY`. Otherwise the output is a log that may leave the machine, and
   * the password goes to `passwordFile` instead.
   */
  readonly terminal?: boolean;
  /** The file a generated password is written to when not on a terminal; by default `data/analytics-password` in the working directory. */
  readonly passwordFile?: string;
}

/**
 * Writes the password to a new file readable by its owner only (mode 0600), replacing
 * what was there rather than writing through it (a link planted there is removed, not followed).
 *
 * @throws ConfigurationError naming `Analytics:Password` when the file cannot be written.
 */
function writePasswordFile(file: string, password: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    rmSync(file, { force: true });
    writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new ConfigurationError('Analytics:Password', `Analytics:Password is not set and the generated password cannot be written to ${file} `
      + `(${error instanceof Error ? error.message : String(error)}); set Analytics:Password`, { cause: error });
  }
}

function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The credentials the analytics routes ask for, from `Analytics:Username` and
 * `Analytics:Password`, or undefined when the analytics stay off. Logs one line saying
 * which: on with the configured password; on with a password generated now (on a
 * terminal printed in this line, the only place it is ever shown; otherwise written to
 * `data/analytics-password`, mode 0600, and only that file's path logged); or off,
 * naming the key that turns them on.
 *
 * @throws ConfigurationError when a generated password cannot be written to its file.
 */
export function resolveAnalyticsCredentials(
  settings: { readonly username: string; readonly password?: string },
  policy: AnalyticsCredentialsPolicy,
  logger: ILogger,
): AnalyticsCredentials | undefined {
  if (settings.password !== undefined) {
    logger.info(`Analytics: /app/Analytics for the user "${settings.username}" with the configured Analytics:Password`);
    return { username: settings.username, password: settings.password };
  }
  if (!policy.generatePassword) {
    logger.info('Analytics: off (/app/Analytics answers 404); set Analytics:Password to turn them on');
    return undefined;
  }
  const password = (policy.generate ?? randomPassword)();
  if (policy.terminal ?? process.stdout.isTTY === true) {
    logger.info(`Analytics: /app/Analytics for the user "${settings.username}" with the password ${password} `
      + '(generated at start and shown only here; set Analytics:Password to choose one)');
    return { username: settings.username, password };
  }
  const file = path.resolve(policy.passwordFile ?? GENERATED_PASSWORD_FILE);
  writePasswordFile(file, password);
  logger.info(`Analytics: /app/Analytics for the user "${settings.username}" with the password generated at start `
    + `in ${file} (readable by this user only; set Analytics:Password to choose one)`);
  return { username: settings.username, password };
}
