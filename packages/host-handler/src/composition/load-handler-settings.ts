import { fileURLToPath } from 'node:url';
import { loadConfiguration, readSignUpSettings, type SignUpSettings } from '@signup/adapters/config';
import { ConfigurationError } from '@signup/adapters/config';

/** The handler host's own defaults, shipped next to `dist/`. */
export const HANDLER_APP_SETTINGS_PATH = fileURLToPath(new URL('../../../appsettings.json', import.meta.url));

/** Where the handler host reads its configuration from. */
export interface LoadHandlerSettingsOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly appSettingsPath?: string;
}

/**
 * Reads the handler host's settings: its `appsettings.json`, then
 * `<cwd>/configs/config.json`, `<cwd>/secrets/secret.json` and the environment.
 * Unlike the web host, the handler has no in-process bus to fall back on, so
 * `MessageQueue:Url` is required.
 *
 * @throws ConfigurationError (one line naming the key) for a bad or missing value.
 */
export function loadHandlerSettings(options: LoadHandlerSettingsOptions = {}): SignUpSettings {
  const configuration = loadConfiguration({
    cwd: options.cwd,
    env: options.env,
    appSettingsPath: options.appSettingsPath ?? HANDLER_APP_SETTINGS_PATH,
  });
  const settings = readSignUpSettings(configuration);
  if (settings.messageQueue.url === undefined) {
    throw new ConfigurationError(
      'MessageQueue:Url',
      'MessageQueue:Url is not set; the message handler needs NATS: set it to nats://host:4222 (MessageQueue__Url in the environment)',
    );
  }
  return settings;
}
