import { randomBytes } from 'node:crypto';
import type { ILogger } from '@signup/domain';
import type { AnalyticsCredentials } from './web-app-dependencies.js';

/** How the host decides on the analytics credentials (docs/analytics.md, Access). */
export interface AnalyticsCredentialsPolicy {
  /** Generate a password when none is configured (the all-in-one); otherwise the analytics stay off without one. */
  readonly generatePassword: boolean;
  /** Makes the generated password; by default 24 random URL-safe characters. */
  readonly generate?: () => string;
}

function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * The credentials the analytics routes ask for, from `Analytics:Username` and
 * `Analytics:Password`, or undefined when the analytics stay off. Logs one line saying
 * which: on with the configured password; on with a password generated now (printed in
 * this line, the only place it is ever shown); or off, naming the key that turns them on.
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
  logger.info(`Analytics: /app/Analytics for the user "${settings.username}" with the password ${password} `
    + '(generated at start and shown only here; set Analytics:Password to choose one)');
  return { username: settings.username, password };
}
