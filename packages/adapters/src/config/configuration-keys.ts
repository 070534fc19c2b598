/**
 * Every configuration key the SignUp hosts read, spelled as README.md's
 * "Configuration" table spells it. Deployment files (compose files, Kubernetes
 * manifests) are checked against this list, so a misspelt key that would otherwise
 * be ignored in silence is caught before it ships. A key the hosts start reading
 * belongs here in the same change.
 */
export const SIGNUP_CONFIGURATION_KEYS: readonly string[] = Object.freeze([
  'Dependencies:IProspectSaveHandler',
  'Dependencies:IReferenceDataLoader',
  'Dependencies:IProspectRepository',
  'Dependencies:IProspectIndex',
  'ReferenceDataApi:Url',
  'MessageQueue:Url',
  'MessageQueue:Token',
  'MessageQueue:CredsFile',
  'MessageQueue:Mode',
  'MessageQueue:Replicas',
  'MessageQueue:Encoding',
  'MessageQueue:MaxAge',
  'MessageQueue:MaxBytes',
  'ConnectionStrings:SignUpDb',
  'ConnectionStrings:AnalyticsDb',
  'Elasticsearch:Url',
  'Elasticsearch:Index',
  'Elasticsearch:Username',
  'Elasticsearch:Password',
  'Elasticsearch:ApiKey',
  'Analytics:Username',
  'Analytics:Password',
  'Handlers:InProcess',
  'Database:Migrate',
  'Outbox:Enabled',
  'Web:Port',
  'PORT',
  'Metrics:Server:Enabled',
  'Metrics:Server:Port',
  'Metrics:ConsumerLag:IntervalSeconds',
  'Logging:LogLevel',
  'Logging:LogLevel:Default',
  'Logging:Format',
  'LOG_LEVEL',
]);

const KNOWN = new Set(SIGNUP_CONFIGURATION_KEYS.map((key) => key.toLowerCase()));

/**
 * True when the hosts read this key. Case-insensitive, and an environment variable's
 * `__` counts as `:`, as in `loadConfiguration` (`MessageQueue__Url` is `MessageQueue:Url`).
 */
export function isSignUpConfigurationKey(key: string): boolean {
  return KNOWN.has(key.replaceAll('__', ':').toLowerCase());
}
