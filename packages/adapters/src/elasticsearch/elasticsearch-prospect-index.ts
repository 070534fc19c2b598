import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, estypes } from '@elastic/elasticsearch';
import {
  AnalyticsQueryInvalidError,
  SignUpError, byCountThenName,
  type AnalyticsFilter, type AnalyticsProspect, type AnalyticsProspectPage, type AnalyticsSummary, type IndexedProspect,
  type IndexItemResult, type IProspectAnalytics, type IProspectIndex, type PageRequest,
} from '@signup/domain';
import { inject, injectable, unmanaged } from 'inversify';
import { inChildSpan } from '../tracing/child-span.js';
import { fromProspectIndexFields } from '../analytics/prospect-index-document.js';
import { ElasticsearchUnavailableError } from './elasticsearch-unavailable-error.js';
import {
  PROSPECT_DOCUMENT_FIELDS, prospectIndexTemplate, toProspectDocument, type ProspectDocument,
} from './prospect-index-template.js';
import { filterQuery, NEWEST_FIRST, summaryAggregations } from './prospect-queries.js';

/** Code of the error for a request the cluster refused as malformed (a 4xx other than 429). Permanent. */
export const ELASTICSEARCH_REQUEST_REFUSED = 'ELASTICSEARCH_REQUEST_REFUSED';

/** The cluster and index `ElasticsearchProspectIndex` works on, made by `createElasticsearchConnection`. */
export interface ElasticsearchConnection {
  readonly client: Client;
  /** `Elasticsearch:Index`, `prospects` by default. */
  readonly index: string;
}
export const ElasticsearchConnection: unique symbol = Symbol.for('signup.ElasticsearchConnection');

/** Options of `ElasticsearchProspectIndex`. */
export interface ElasticsearchProspectIndexOptions {
  /** Pauses before sending again what the cluster answered 429 or 5xx to; about 3 s in all by default. */
  readonly retryDelaysMs?: readonly number[];
  /** How many documents `stream` reads per search. Default 1000. */
  readonly streamChunkSize?: number;
}

const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [100, 200, 400, 800, 1600];
const DEFAULT_STREAM_CHUNK = 1000;
// The default `index.max_result_window`: a from/size search may not end past it.
const MAX_RESULT_WINDOW = 10_000;

interface Bucket {
  key: string;
  key_as_string?: string;
  doc_count: number;
}
interface CodeBucket extends Bucket {
  name: { buckets: Bucket[] };
}
interface SummaryAggregations {
  byDay: { buckets: Bucket[] };
  byCountry: { buckets: CodeBucket[] };
  byRole: { buckets: CodeBucket[] };
  topCompanies: { buckets: Bucket[] };
}

interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

/** A per-item status the cluster may accept later: too many requests, or a server-side failure. */
function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function reasonOf(error: BulkItem['error']): string {
  if (error === undefined) return 'refused by Elasticsearch';
  const cause = error.caused_by?.reason === undefined ? '' : ` (${error.caused_by.type ?? 'cause'}: ${error.caused_by.reason})`;
  return `${error.type ?? 'error'}: ${error.reason ?? 'refused by Elasticsearch'}${cause}`;
}

/**
 * The status of an error the cluster answered (the client's `ResponseError`), else
 * undefined. Read from the error's shape rather than by `instanceof`, which fails when
 * the client comes from the package's other (CommonJS or ES module) build.
 */
function answeredStatus(error: unknown): { status: number; body: unknown } | undefined {
  const e = error as { name?: unknown; statusCode?: unknown; meta?: { statusCode?: unknown }; body?: unknown } | null;
  if (typeof e !== 'object' || e === null || e.name !== 'ResponseError') return undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.meta?.statusCode === 'number' ? e.meta.statusCode : 0;
  return { status, body: e.body };
}

function totalOf(response: estypes.SearchResponse<ProspectDocument>): number {
  const { total } = response.hits;
  return typeof total === 'number' ? total : total?.value ?? 0;
}

function countsOf(buckets: readonly CodeBucket[]): { code: string; name: string; count: number }[] {
  return buckets
    .flatMap((bucket) => bucket.name.buckets.map((name) => ({ code: String(bucket.key), name: String(name.key), count: name.doc_count })))
    .sort(byCountThenName((c) => c.name));
}

/**
 * Turns what the client threw into a SignUp error: no answer, a timeout, 429, 5xx,
 * or an authentication failure → `ElasticsearchUnavailableError` (transient); any
 * other refusal → `SignUpError` `ELASTICSEARCH_REQUEST_REFUSED` (permanent) with the
 * cluster's reason. Credentials never appear: the client's errors do not carry them.
 */
export function translateElasticsearchError(error: unknown): SignUpError {
  if (error instanceof SignUpError) return error;
  const answered = answeredStatus(error);
  if (answered !== undefined) {
    const { status } = answered;
    const body = answered.body as { error?: BulkItem['error'] } | undefined;
    const reason = reasonOf(body?.error);
    if (isTransientStatus(status) || status === 401 || status === 403 || status === 0) {
      return new ElasticsearchUnavailableError(`Elasticsearch is unavailable (${status} ${reason}).`, { cause: error });
    }
    return new SignUpError(ELASTICSEARCH_REQUEST_REFUSED, `Elasticsearch refused the request (${status} ${reason}).`, { cause: error });
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ElasticsearchUnavailableError(`Elasticsearch is unavailable (${message}).`, { cause: error });
}

/**
 * The analytics store in Elasticsearch (docs/analytics.md), the successor of the
 * original index handler's `prospects` index. Before the first write it puts its
 * index template (strict mappings) and creates the index if missing; reads need only
 * read access, and find no sign-ups while the index does not exist.
 * `indexMany` is one bulk request with `_id` = event id, so indexing again
 * overwrites rather than duplicates. A 429 for the request, or 429/5xx (any status
 * but 400) for some items, sends those again after a growing pause, and throws
 * `ElasticsearchUnavailableError` when they are still refused; a document the cluster
 * refuses with 400 (a mapping or parse error) is `rejected` with the cluster's reason.
 * Reads are searches: the summary one search with a `date_histogram` and `terms`
 * aggregations, the list `from`/`size` newest first, the stream `search_after`
 * in chunks.
 *
 * @throws ElasticsearchUnavailableError (transient) when the cluster cannot be reached, times out,
 *   or still answers 429/5xx after the retries.
 * @throws SignUpError `ELASTICSEARCH_REQUEST_REFUSED` when the cluster refuses a read or the template.
 */
@injectable()
export class ElasticsearchProspectIndex implements IProspectIndex, IProspectAnalytics {
  private readonly client: Client;
  private readonly index: string;
  private readonly retryDelaysMs: readonly number[];
  private readonly streamChunkSize: number;
  private ready: Promise<void> | undefined;

  constructor(@inject(ElasticsearchConnection) connection: ElasticsearchConnection, @unmanaged() options: ElasticsearchProspectIndexOptions = {}) {
    this.client = connection.client;
    this.index = connection.index;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.streamChunkSize = options.streamChunkSize ?? DEFAULT_STREAM_CHUNK;
  }

  async indexMany(prospects: readonly IndexedProspect[]): Promise<IndexItemResult[]> {
    if (prospects.length === 0) return [];
    await this.ensureIndex();
    const documents = prospects.map(toProspectDocument);
    const results = new Array<IndexItemResult | undefined>(prospects.length);
    let pending = documents.map((_, i) => i);
    for (let attempt = 0; ; attempt += 1) {
      const items = await this.bulk(pending.map((i) => documents[i]!), attempt);
      const again: number[] = [];
      pending.forEach((i, position) => {
        const item = items[position];
        const eventId = prospects[i]!.eventId;
        if (item !== undefined && item.status >= 200 && item.status < 300) results[i] = { eventId, status: 'indexed' };
        // 400 is this document's own fault (a mapping or parse error): it will never be accepted.
        else if (item?.status === 400) results[i] = { eventId, status: 'rejected', reason: reasonOf(item.error) };
        else again.push(i);
      });
      if (again.length === 0) return results as IndexItemResult[];
      const delay = this.retryDelaysMs[attempt];
      if (delay === undefined) {
        const statuses = [...new Set(again.map((i) => items[pending.indexOf(i)]?.status ?? 0))].join(', ');
        throw new ElasticsearchUnavailableError(`Elasticsearch did not accept ${again.length} document(s) after ${attempt + 1} attempts (status ${statuses}).`);
      }
      pending = again;
      await sleep(delay);
    }
  }

  async clear(): Promise<void> {
    try {
      await this.client.indices.delete({ index: this.index, ignore_unavailable: true });
    } catch (error) {
      throw translateElasticsearchError(error);
    }
    this.ready = undefined;
    await this.ensureIndex();
  }

  async summary(filter: AnalyticsFilter): Promise<AnalyticsSummary> {
    const response = await this.search({ size: 0, track_total_hits: true, query: filterQuery(filter), aggs: summaryAggregations() });
    if (response === undefined) return { total: 0, byDay: [], byCountry: [], byRole: [], topCompanies: [] };
    const aggregations = response.aggregations as unknown as SummaryAggregations;
    return {
      total: totalOf(response),
      byDay: aggregations.byDay.buckets.map((bucket) => ({ date: bucket.key_as_string ?? String(bucket.key), count: bucket.doc_count })),
      byCountry: countsOf(aggregations.byCountry.buckets).map(({ code, name, count }) => ({ countryCode: code, countryName: name, count })),
      byRole: countsOf(aggregations.byRole.buckets).map(({ code, name, count }) => ({ roleCode: code, roleName: name, count })),
      topCompanies: aggregations.topCompanies.buckets.map((bucket) => ({ companyName: String(bucket.key), count: bucket.doc_count })),
    };
  }

  /**
   * @throws AnalyticsQueryInvalidError naming `page` when the page ends past the cluster's
   *   10,000-row window for from/size searches (`index.max_result_window`); the CSV, which
   *   streams with search_after, has no such limit.
   */
  async list(filter: AnalyticsFilter, page: PageRequest): Promise<AnalyticsProspectPage> {
    if (page.page * page.pageSize > MAX_RESULT_WINDOW) {
      throw new AnalyticsQueryInvalidError({
        page: `Elasticsearch pages only the first ${MAX_RESULT_WINDOW.toLocaleString('en')} sign-ups: choose page ${Math.floor(MAX_RESULT_WINDOW / page.pageSize)} or lower, narrow the filters, or download the CSV.`,
      });
    }
    const response = await this.search({
      from: (page.page - 1) * page.pageSize,
      size: page.pageSize,
      track_total_hits: true,
      query: filterQuery(filter),
      sort: NEWEST_FIRST,
      _source: [...PROSPECT_DOCUMENT_FIELDS],
    });
    return {
      total: response === undefined ? 0 : totalOf(response),
      page: page.page,
      pageSize: page.pageSize,
      items: (response?.hits.hits ?? []).map((hit) => fromProspectIndexFields(hit._source!)),
    };
  }

  stream(filter: AnalyticsFilter): AsyncIterable<AnalyticsProspect> {
    const chunk = async (after: estypes.SortResults | undefined): Promise<{ rows: AnalyticsProspect[]; last?: estypes.SortResults }> => {
      const response = await this.search({
        size: this.streamChunkSize,
        track_total_hits: false,
        query: filterQuery(filter),
        sort: NEWEST_FIRST,
        _source: [...PROSPECT_DOCUMENT_FIELDS],
        ...(after === undefined ? {} : { search_after: after }),
      });
      const hits = response?.hits.hits ?? [];
      return { rows: hits.map((hit) => fromProspectIndexFields(hit._source!)), last: hits.at(-1)?.sort };
    };
    const size = this.streamChunkSize;
    return {
      async* [Symbol.asyncIterator]() {
        let after: estypes.SortResults | undefined;
        for (;;) {
          const { rows, last } = await chunk(after);
          yield* rows;
          if (rows.length < size || last === undefined) return;
          after = last;
        }
      },
    };
  }

  /** Makes what was indexed visible to searches now rather than at the next refresh (tests, the rebuild). */
  async refresh(): Promise<void> {
    try {
      await this.client.indices.refresh({ index: this.index });
    } catch (error) {
      throw translateElasticsearchError(error);
    }
  }

  /**
   * One search of the index. Reads never put the template or create the index (the
   * dashboard may hold read-only credentials): an index that does not exist yet
   * answers undefined, meaning no sign-ups.
   */
  private async search(request: Omit<estypes.SearchRequest, 'index'>): Promise<estypes.SearchResponse<ProspectDocument> | undefined> {
    try {
      return await this.client.search<ProspectDocument>({ index: this.index, ...request });
    } catch (error) {
      const answered = answeredStatus(error);
      if (answered?.status === 404 && /index_not_found_exception/.test(JSON.stringify(answered.body))) return undefined;
      throw translateElasticsearchError(error);
    }
  }

  /** Puts the template and creates the index once; a failure is tried again at the next call. */
  private ensureIndex(): Promise<void> {
    this.ready ??= (async () => {
      try {
        await this.client.indices.putIndexTemplate(prospectIndexTemplate(this.index));
        if (!(await this.client.indices.exists({ index: this.index }))) {
          await this.client.indices.create({ index: this.index }).catch((error: unknown) => {
            // Another instance created it meanwhile.
            const answered = answeredStatus(error);
            if (!(answered?.status === 400 && /resource_already_exists/.test(JSON.stringify(answered.body)))) throw error;
          });
        }
      } catch (error) {
        this.ready = undefined;
        throw translateElasticsearchError(error);
      }
    })();
    return this.ready;
  }

  /** One bulk request; a 429 for the whole request is answered as 429 for every item. */
  private async bulk(documents: readonly ProspectDocument[], attempt: number): Promise<BulkItem[]> {
    try {
      // The client makes the CLIENT `bulk` span of the request itself (its OpenTelemetry
      // instrumentation); this INTERNAL span above it names the index and the batch size.
      const response = await inChildSpan(`index ${this.index}`, () => ({
        'db.collection.name': this.index,
        'db.operation.batch.size': documents.length,
      }), () => this.client.bulk({
        operations: documents.flatMap((document) => [{ index: { _index: this.index, _id: document.EventId } }, document]),
      }));
      return response.items.map((item) => {
        const result = item.index ?? Object.values(item)[0];
        return { status: result?.status ?? 0, error: result?.error as BulkItem['error'] };
      });
    } catch (error) {
      if (answeredStatus(error)?.status === 429 && this.retryDelaysMs[attempt] !== undefined) {
        return documents.map(() => ({ status: 429 }));
      }
      throw translateElasticsearchError(error);
    }
  }
}
