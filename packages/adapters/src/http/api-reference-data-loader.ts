import { ReferenceData, ReferenceDataUnavailableError, SignUpError, type Country, type IReferenceDataLoader, type Role } from '@signup/domain';
import { ConfigurationError } from '../config/configuration-error.js';
import { maskSecrets } from '../logging/index.js';

/** Options of `ApiReferenceDataLoader`. */
export interface ApiReferenceDataLoaderOptions {
  /** How long one request, body included, may take; 5000 ms by default. */
  readonly timeoutMs?: number;
  /** The fetch to use; the global one by default. */
  readonly fetch?: typeof fetch;
}

type Item = Readonly<Record<string, unknown>>;

function unavailable(message: string, cause?: unknown): ReferenceDataUnavailableError {
  return new ReferenceDataUnavailableError(message, { cause });
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/** Reads a text field in camelCase or PascalCase (`countryCode` or `CountryCode`). */
function field(item: Item, camelCase: string): unknown {
  return item[camelCase] ?? item[camelCase.charAt(0).toUpperCase() + camelCase.slice(1)];
}

/**
 * Loads countries and roles from the original reference-data API: GET `<base>/countries`
 * and `<base>/roles`, each a JSON array of `{countryCode, countryName}` /
 * `{roleCode, roleName}` in camelCase or PascalCase. Both requests run in parallel, each
 * under a timeout. Credentials in the base URL (`http://user:password@host/api`) are sent
 * as HTTP Basic authentication and never appear in messages. No caching: wrap it in
 * `CachingReferenceDataLoader`.
 *
 * @throws ConfigurationError (constructor) when the base URL is not an http(s) URL.
 * @throws ReferenceDataUnavailableError (transient) when the API cannot be reached,
 *   times out, answers with a non-2xx status, or sends something other than a non-empty list
 *   of the expected objects. The underlying error is the `cause`.
 */
export class ApiReferenceDataLoader implements IReferenceDataLoader {
  private readonly base: URL;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(baseUrl: string, options: ApiReferenceDataLoaderOptions = {}) {
    const base = URL.parse(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    if (base === null || (base.protocol !== 'http:' && base.protocol !== 'https:')) {
      throw new ConfigurationError(
        'ReferenceDataApi:Url',
        `ReferenceDataApi:Url = ${JSON.stringify(maskSecrets(baseUrl))} is not an HTTP URL; use http://host:port/api`,
      );
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (base.username !== '' || base.password !== '') {
      const user = `${decoded(base.username)}:${decoded(base.password)}`;
      headers.authorization = `Basic ${Buffer.from(user, 'utf8').toString('base64')}`;
      base.username = '';
      base.password = '';
    }
    this.base = base;
    this.headers = headers;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async load(): Promise<ReferenceData> {
    const [countries, roles] = await Promise.all([
      this.getList('countries', (item): Country | undefined => {
        const countryCode = field(item, 'countryCode');
        const countryName = field(item, 'countryName');
        return typeof countryCode === 'string' && typeof countryName === 'string' ? { countryCode, countryName } : undefined;
      }),
      this.getList('roles', (item): Role | undefined => {
        const roleCode = field(item, 'roleCode');
        const roleName = field(item, 'roleName');
        return typeof roleCode === 'string' && typeof roleName === 'string' ? { roleCode, roleName } : undefined;
      }),
    ]);
    return new ReferenceData(countries, roles);
  }

  private async getList<T>(resource: 'countries' | 'roles', read: (item: Item) => T | undefined): Promise<T[]> {
    const url = new URL(resource, this.base);
    const shown = maskSecrets(url.href);
    let body: unknown;
    try {
      const response = await this.fetch(url, {
        headers: this.headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw unavailable(`Reference data API ${shown} answered ${response.status} ${response.statusText}`.trimEnd());
      }
      body = await response.json();
    } catch (error) {
      if (error instanceof SignUpError) throw error;
      const reason = error instanceof Error && error.name === 'TimeoutError'
        ? `did not answer within ${this.timeoutMs} ms`
        : error instanceof SyntaxError ? 'sent a body that is not JSON' : 'could not be reached';
      throw unavailable(`Reference data API ${shown} ${reason}`, error);
    }
    if (!Array.isArray(body) || body.length === 0) {
      throw unavailable(`Reference data API ${shown} did not send a non-empty JSON array of ${resource}`);
    }
    return body.map((item: unknown, index) => {
      const value = typeof item === 'object' && item !== null ? read(item as Item) : undefined;
      if (value === undefined) {
        throw unavailable(`Reference data API ${shown} sent an unexpected item at index ${index}`);
      }
      return value;
    });
  }
}
