import { Client } from '@elastic/elasticsearch';
import { ConfigurationError } from '../config/configuration-error.js';
import { maskSecrets } from '../logging/mask-secrets.js';
import type { ElasticsearchConnection } from './elasticsearch-prospect-index.js';
import { DEFAULT_PROSPECT_INDEX } from './prospect-index-template.js';

/** The `Elasticsearch:*` keys, as `readSignUpSettings` gives them. */
export interface ElasticsearchSettings {
  readonly url?: string;
  readonly index?: string;
  readonly username?: string;
  readonly password?: string;
  readonly apiKey?: string;
}

/** Timeouts of the client `createElasticsearchConnection` makes. */
export interface CreateElasticsearchConnectionOptions {
  /** How long one request may take. Default 5000 ms, well below a message's ack wait. */
  readonly requestTimeoutMs?: number;
  /** How many times the client itself retries a request that found no connection. Default 2. */
  readonly maxRetries?: number;
}

/** An Elasticsearch connection and a description of it that is safe to log. */
export interface OpenedElasticsearchConnection extends ElasticsearchConnection {
  /** The URL and index with credentials masked, e.g. `https://***:***@es:9200 (index prospects, API key)`. */
  readonly display: string;
}

/**
 * Makes the client of `Elasticsearch:Url` with the credentials of
 * `Elasticsearch:ApiKey`, or `Elasticsearch:Username`/`Password` (credentials in
 * the URL work too). No request is made until the first use. The caller closes
 * the client (`client.close()`).
 *
 * @throws ConfigurationError naming `Elasticsearch:Url` when it is not set.
 */
export function createElasticsearchConnection(settings: ElasticsearchSettings, options: CreateElasticsearchConnectionOptions = {}): OpenedElasticsearchConnection {
  if (settings.url === undefined) {
    throw new ConfigurationError('Elasticsearch:Url', 'Elasticsearch:Url is not set; set it to the cluster, e.g. http://elasticsearch:9200');
  }
  const auth = settings.apiKey !== undefined
    ? { apiKey: settings.apiKey }
    : settings.username !== undefined ? { username: settings.username, password: settings.password ?? '' } : undefined;
  const index = settings.index ?? DEFAULT_PROSPECT_INDEX;
  const client = new Client({
    node: settings.url,
    ...(auth === undefined ? {} : { auth }),
    requestTimeout: options.requestTimeoutMs ?? 5000,
    maxRetries: options.maxRetries ?? 2,
  });
  const credentials = settings.apiKey !== undefined ? ', API key' : settings.username !== undefined ? `, user ${settings.username}` : '';
  return { client, index, display: `${maskSecrets(settings.url)} (index ${index}${credentials})` };
}
