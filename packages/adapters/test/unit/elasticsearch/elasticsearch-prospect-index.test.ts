import { createRequire } from 'node:module';
import { Client, type errors as ErrorsOfTheClient } from '@elastic/elasticsearch';
import type MockModule from '@elastic/elasticsearch-mock';
import { AnalyticsQueryInvalidError, isTransientError, type IndexedProspect, SignUpError } from '@signup/domain';
import { newIndexedProspect } from '@signup/test-support/prospect-index-contract';
import { SpanKind } from '@opentelemetry/api';
import { expect } from 'chai';
import { beforeEach, describe, it } from 'mocha';
import {
  createElasticsearchConnection, ElasticsearchProspectIndex, ElasticsearchUnavailableError, prospectIndexTemplate,
} from '../../../src/elasticsearch/index.js';
import { startInMemoryTracing } from '../tracing/in-memory-tracing.js';

// The mock is a CommonJS module that answers with the error classes of the client's CommonJS build:
// errors given to it must be made from that build, not the ES module build this file imports.
const require = createRequire(import.meta.url);
type MockClass = (typeof MockModule)['default'];
const Mock = require('@elastic/elasticsearch-mock') as MockClass;
const { errors } = require('@elastic/elasticsearch') as { errors: typeof ErrorsOfTheClient };

interface Recorded {
  method: string;
  path: string;
  body: unknown;
  querystring: Record<string, unknown>;
}

type Resolver = (params: Recorded) => unknown;

function responseError(statusCode: number, body: unknown): Error {
  return new errors.ResponseError({ body, statusCode, headers: {}, warnings: null, meta: {} } as never);
}

function bulkItems(...statuses: (number | { status: number; error: unknown })[]): unknown {
  return {
    took: 1,
    errors: statuses.some((status) => typeof status !== 'number' || status >= 300),
    items: statuses.map((status) => ({ index: typeof status === 'number' ? { status, result: 'created' } : status })),
  };
}

const TEMPLATE_MAPPINGS = {
  dynamic: 'strict',
  properties: {
    EventId: { type: 'keyword' },
    FullName: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 512 } } },
    CompanyName: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 512 } } },
    EmailAddress: { type: 'keyword', ignore_above: 512, fields: { text: { type: 'text' } } },
    CountryCode: { type: 'keyword' },
    CountryName: { type: 'keyword' },
    RoleCode: { type: 'keyword' },
    RoleName: { type: 'keyword' },
    SignUpDate: { type: 'date', format: 'strict_date_optional_time' },
  },
};

const AGGREGATIONS = {
  byDay: { date_histogram: { field: 'SignUpDate', calendar_interval: 'day', time_zone: 'UTC', format: 'yyyy-MM-dd', min_doc_count: 1 } },
  byCountry: { terms: { field: 'CountryCode', size: 1000 }, aggs: { name: { terms: { field: 'CountryName', size: 1000 } } } },
  byRole: { terms: { field: 'RoleCode', size: 1000 }, aggs: { name: { terms: { field: 'RoleName', size: 1000 } } } },
  topCompanies: { terms: { field: 'CompanyName.keyword', size: 10, exclude: [''], order: [{ _count: 'desc' }, { _key: 'asc' }] } },
};

const NEWEST_FIRST = [{ SignUpDate: { order: 'desc' } }, { EventId: { order: 'desc' } }];
const SOURCE = ['EventId', 'FullName', 'CompanyName', 'EmailAddress', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName', 'SignUpDate'];

function documentOf(prospect: IndexedProspect): Record<string, string> {
  return {
    EventId: prospect.eventId, FullName: prospect.fullName, CompanyName: prospect.companyName, EmailAddress: prospect.emailAddress,
    CountryCode: prospect.countryCode, CountryName: prospect.countryName, RoleCode: prospect.roleCode, RoleName: prospect.roleName,
    SignUpDate: prospect.signUpDate.toISOString(),
  };
}

function hit(prospect: IndexedProspect): unknown {
  return { _id: prospect.eventId, _source: documentOf(prospect), sort: [prospect.signUpDate.getTime(), prospect.eventId] };
}

describe('ElasticsearchProspectIndex (against @elastic/elasticsearch-mock)', function () {
  let mock: InstanceType<MockClass>;
  // No close(): the mock's connections have nothing to close.
  let client: Client;
  let requests: Recorded[];
  let store: ElasticsearchProspectIndex;
  let exists: boolean;

  /** Answers `method path` with `resolve`, recording every request it answers. */
  function on(method: string, path: string, resolve: Resolver): void {
    mock.add({ method, path }, (params: unknown) => {
      const recorded = params as Recorded;
      requests.push({ method: recorded.method, path: recorded.path, body: recorded.body, querystring: recorded.querystring });
      return resolve(recorded) as never;
    });
  }

  const bodiesOf = (method: string, path: string): unknown[] =>
    requests.filter((r) => r.method === method && r.path === path).map((r) => r.body);

  beforeEach(function () {
    mock = new Mock();
    client = new Client({ node: 'http://localhost:9200', Connection: mock.getConnection() as never, maxRetries: 0 });
    requests = [];
    exists = false;
    on('PUT', '/_index_template/signup-prospects', () => ({ acknowledged: true }));
    on('HEAD', '/prospects', () => (exists ? '' : responseError(404, '')));
    on('PUT', '/prospects', () => {
      exists = true;
      return { acknowledged: true, index: 'prospects' };
    });
    store = new ElasticsearchProspectIndex({ client, index: 'prospects' }, { retryDelaysMs: [1, 1], streamChunkSize: 2 });
  });

  describe('the index template', function () {
    it('is put before the first write, with explicit mappings, and the index is created when missing', async function () {
      on('POST', '/_bulk', () => bulkItems(201));
      await store.indexMany([newIndexedProspect()]);
      expect(requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        'PUT /_index_template/signup-prospects', 'HEAD /prospects', 'PUT /prospects', 'POST /_bulk',
      ]);
      expect(requests[0]!.body).to.deep.equal({
        index_patterns: ['prospects'],
        priority: 200,
        template: { settings: { number_of_shards: 1 }, mappings: TEMPLATE_MAPPINGS },
        _meta: { description: 'SignUp analytics: one document per sign-up, _id = EventId' },
      });
      expect(prospectIndexTemplate('signups').index_patterns).to.deep.equal(['signups']);
    });

    it('is put once, and the index is not created again when it exists', async function () {
      exists = true;
      on('POST', '/_bulk', () => bulkItems(201));
      await store.indexMany([newIndexedProspect()]);
      await store.indexMany([newIndexedProspect()]);
      expect(requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        'PUT /_index_template/signup-prospects', 'HEAD /prospects', 'POST /_bulk', 'POST /_bulk',
      ]);
    });

    it('is tried again at the next call when the cluster could not be reached the first time', async function () {
      let down = true;
      mock.clear({ method: 'PUT', path: '/_index_template/signup-prospects' });
      on('PUT', '/_index_template/signup-prospects', () => (down ? new errors.ConnectionError('connect ECONNREFUSED') : { acknowledged: true }));
      on('POST', '/_bulk', () => bulkItems(201));
      const error = await store.indexMany([newIndexedProspect()]).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ElasticsearchUnavailableError);
      down = false;
      expect(await store.indexMany([newIndexedProspect()])).to.have.length(1);
    });
  });

  describe('indexMany', function () {
    it('sends one bulk request of index actions with _id = the lower-cased event id and the original field names', async function () {
      on('POST', '/_bulk', () => bulkItems(201, 200));
      const a = newIndexedProspect({ eventId: newIndexedProspect().eventId.toUpperCase() });
      const b = newIndexedProspect({ fullName: 'Grace Hopper', companyName: '', countryCode: '-', countryName: '--Not telling' });
      const results = await store.indexMany([a, b]);
      expect(results).to.deep.equal([{ eventId: a.eventId, status: 'indexed' }, { eventId: b.eventId, status: 'indexed' }]);
      const lower = { ...a, eventId: a.eventId.toLowerCase() };
      expect(bodiesOf('POST', '/_bulk')).to.deep.equal([[
        { index: { _index: 'prospects', _id: lower.eventId } }, documentOf(lower),
        { index: { _index: 'prospects', _id: b.eventId } }, documentOf(b),
      ]]);
    });

    it('rejects a document refused with a mapping error, with the reason, and sends again only those answered 429 or 5xx', async function () {
      const [a, b, c, d] = [newIndexedProspect(), newIndexedProspect(), newIndexedProspect(), newIndexedProspect()];
      let call = 0;
      on('POST', '/_bulk', () => {
        call += 1;
        if (call === 1) {
          return bulkItems(201, {
            status: 400,
            error: { type: 'document_parsing_exception', reason: 'failed to parse field [SignUpDate] of type [date]', caused_by: { type: 'illegal_argument_exception', reason: 'bad date' } },
          }, { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } }, { status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' } });
        }
        return bulkItems(201, 201);
      });
      const results = await store.indexMany([a, b, c, d]);
      expect(results).to.deep.equal([
        { eventId: a.eventId, status: 'indexed' },
        { eventId: b.eventId, status: 'rejected', reason: 'document_parsing_exception: failed to parse field [SignUpDate] of type [date] (illegal_argument_exception: bad date)' },
        { eventId: c.eventId, status: 'indexed' },
        { eventId: d.eventId, status: 'indexed' },
      ]);
      const bodies = bodiesOf('POST', '/_bulk') as { index?: { _id: string } }[][];
      expect(bodies).to.have.length(2);
      expect(bodies[1]!.filter((line) => line.index !== undefined).map((line) => line.index!._id)).to.deep.equal([c.eventId, d.eventId]);
    });

    it('sends the whole batch again after a 429 for the request, with a pause', async function () {
      let call = 0;
      on('POST', '/_bulk', () => {
        call += 1;
        return call === 1 ? responseError(429, { error: { type: 'es_rejected_execution_exception', reason: 'rejected execution' }, status: 429 }) : bulkItems(201);
      });
      expect(await store.indexMany([newIndexedProspect()])).to.have.nested.property('[0].status', 'indexed');
      expect(call).to.equal(2);
    });

    it('throws a transient ElasticsearchUnavailableError when items are still refused with 429 after the retries', async function () {
      on('POST', '/_bulk', () => bulkItems({ status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } }));
      const error = await store.indexMany([newIndexedProspect()]).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ElasticsearchUnavailableError);
      expect(isTransientError(error)).to.equal(true);
      expect((error as Error).message).to.equal('Elasticsearch did not accept 1 document(s) after 3 attempts (status 429).');
      expect(bodiesOf('POST', '/_bulk')).to.have.length(3);
    });

    it('throws a transient ElasticsearchUnavailableError when the cluster cannot be reached, so the batch is retried and nothing dropped', async function () {
      exists = true;
      on('POST', '/_bulk', () => new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'));
      const error = await store.indexMany([newIndexedProspect()]).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ElasticsearchUnavailableError);
      expect(error).to.include({ code: 'ELASTICSEARCH_UNAVAILABLE', transient: true });
    });

    it('makes an INTERNAL span under the active span (a traced batch) around the client\'s own bulk span, and no span without one', async function () {
      const tracing = startInMemoryTracing();
      try {
        on('POST', '/_bulk', () => bulkItems(201, 201));
        await store.indexMany([newIndexedProspect()]);
        expect(tracing.spans().filter((span) => span.attributes['db.operation.batch.size'] !== undefined)).to.deep.equal([]);
        await tracing.tracer.startActiveSpan('batch', async (batch) => {
          await store.indexMany([newIndexedProspect(), newIndexedProspect()]);
          batch.end();
        });
        const ours = tracing.span('index prospects');
        expect([ours.kind, ours.parentSpanContext?.spanId, ours.attributes]).to.deep.equal([
          SpanKind.INTERNAL, tracing.span('batch').spanContext().spanId, { 'db.collection.name': 'prospects', 'db.operation.batch.size': 2 },
        ]);
        const calls = tracing.spans().filter((span) => span.name === 'bulk');
        expect(calls.map((span) => [span.kind, span.parentSpanContext?.spanId])).to.deep.include([SpanKind.CLIENT, ours.spanContext().spanId]);
      } finally {
        await tracing.stop();
      }
    });

    it('sends nothing for an empty batch', async function () {
      expect(await store.indexMany([])).to.deep.equal([]);
      expect(requests).to.deep.equal([]);
    });
  });

  describe('clear', function () {
    it('deletes the index and creates it again under the template', async function () {
      exists = true;
      on('DELETE', '/prospects', () => {
        exists = false;
        return { acknowledged: true };
      });
      await store.clear();
      expect(requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([
        'DELETE /prospects', 'PUT /_index_template/signup-prospects', 'HEAD /prospects', 'PUT /prospects',
      ]);
      expect(requests[0]!.querystring).to.deep.equal({ ignore_unavailable: 'true' });
    });
  });

  describe('summary', function () {
    it('is one search of size 0 with the filters and the day, country, role and company aggregations', async function () {
      exists = true;
      on('POST', '/prospects/_search', () => ({
        hits: { total: { value: 5, relation: 'eq' }, hits: [] },
        aggregations: {
          byDay: { buckets: [{ key: 1763596800000, key_as_string: '2025-11-20', doc_count: 2 }, { key: 1763683200000, key_as_string: '2025-11-21', doc_count: 3 }] },
          byCountry: { buckets: [
            { key: 'USA', doc_count: 1, name: { buckets: [{ key: 'United States', doc_count: 1 }] } },
            { key: 'GBR', doc_count: 4, name: { buckets: [{ key: 'United Kingdom', doc_count: 4 }] } },
          ] },
          byRole: { buckets: [{ key: 'EN', doc_count: 5, name: { buckets: [{ key: 'Engineer', doc_count: 5 }] } }] },
          topCompanies: { buckets: [{ key: 'Acme', doc_count: 3 }, { key: 'Initech', doc_count: 1 }] },
        },
      }));
      const summary = await store.summary({ from: '2025-11-20', to: '2025-11-21', countryCode: 'GBR', roleCode: 'EN', q: 'a*b?c\\d' });
      expect(summary).to.deep.equal({
        total: 5,
        byDay: [{ date: '2025-11-20', count: 2 }, { date: '2025-11-21', count: 3 }],
        byCountry: [{ countryCode: 'GBR', countryName: 'United Kingdom', count: 4 }, { countryCode: 'USA', countryName: 'United States', count: 1 }],
        byRole: [{ roleCode: 'EN', roleName: 'Engineer', count: 5 }],
        topCompanies: [{ companyName: 'Acme', count: 3 }, { companyName: 'Initech', count: 1 }],
      });
      const literal = { value: '*a\\*b\\?c\\\\d*', case_insensitive: true };
      expect(bodiesOf('POST', '/prospects/_search')).to.deep.equal([{
        size: 0,
        track_total_hits: true,
        query: { bool: { filter: [
          { range: { SignUpDate: { gte: '2025-11-20T00:00:00.000Z', lt: '2025-11-22T00:00:00.000Z' } } },
          { term: { CountryCode: 'GBR' } },
          { term: { RoleCode: 'EN' } },
          { bool: { should: [
            { wildcard: { 'FullName.keyword': literal } },
            { wildcard: { 'CompanyName.keyword': literal } },
            { wildcard: { EmailAddress: literal } },
          ], minimum_should_match: 1 } },
        ] } },
        aggs: AGGREGATIONS,
      }]);
    });

    it('matches everything without filters, and passes a query-language q on as plain text', async function () {
      exists = true;
      on('POST', '/prospects/_search', () => ({ hits: { total: { value: 0, relation: 'eq' }, hits: [] }, aggregations: {
        byDay: { buckets: [] }, byCountry: { buckets: [] }, byRole: { buckets: [] }, topCompanies: { buckets: [] },
      } }));
      await store.summary({});
      await store.summary({ q: 'name:"x" OR {"match_all":{}}' });
      const [all, text] = bodiesOf('POST', '/prospects/_search') as { query: unknown }[];
      expect(all!.query).to.deep.equal({ match_all: {} });
      expect(JSON.stringify(text!.query)).to.not.match(/query_string|simple_query_string|"match_all"/);
      expect(JSON.stringify(text!.query)).to.include(JSON.stringify('*name:"x" OR {"match_all":{}}*'));
    });

    it('says the cluster is unavailable (transient) for a 5xx, and refused (permanent) for a 400', async function () {
      exists = true;
      let status = 503;
      on('POST', '/prospects/_search', () => responseError(status, { error: { type: 'search_phase_execution_exception', reason: 'all shards failed' }, status }));
      const unavailable = await store.summary({}).catch((e: unknown) => e);
      expect(unavailable).to.be.instanceOf(ElasticsearchUnavailableError);
      status = 400;
      const refused = await store.summary({}).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(SignUpError).and.include({ code: 'ELASTICSEARCH_REQUEST_REFUSED', transient: false });
      expect((refused as Error).message).to.equal('Elasticsearch refused the request (400 search_phase_execution_exception: all shards failed).');
    });
  });

  describe('reads', function () {
    it('need no template or index: a missing index reads as no sign-ups', async function () {
      on('POST', '/prospects/_search', () => responseError(404, { error: { type: 'index_not_found_exception', reason: 'no such index [prospects]' }, status: 404 }));
      expect(await store.summary({})).to.deep.equal({ total: 0, byDay: [], byCountry: [], byRole: [], topCompanies: [] });
      expect(await store.list({}, { page: 1, pageSize: 50 })).to.deep.equal({ total: 0, page: 1, pageSize: 50, items: [] });
      const streamed = [];
      for await (const row of store.stream({})) streamed.push(row);
      expect(streamed).to.deep.equal([]);
      expect(requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal(Array(3).fill('POST /prospects/_search'));
    });
  });

  describe('list', function () {
    it('searches one page newest first with from/size and the total, reading the original fields', async function () {
      exists = true;
      const rows = [newIndexedProspect({ signUpDate: new Date('2026-11-23T10:00:01.000Z') }), newIndexedProspect()];
      on('POST', '/prospects/_search', () => ({ hits: { total: { value: 42, relation: 'eq' }, hits: rows.map(hit) } }));
      const page = await store.list({ countryCode: 'GBR' }, { page: 3, pageSize: 2 });
      expect(page).to.deep.equal({
        total: 42, page: 3, pageSize: 2,
        items: rows.map((row) => ({ ...row, signUpDate: row.signUpDate.toISOString() })),
      });
      expect(bodiesOf('POST', '/prospects/_search')).to.deep.equal([{
        from: 4, size: 2, track_total_hits: true, query: { bool: { filter: [{ term: { CountryCode: 'GBR' } }] } },
        sort: NEWEST_FIRST, _source: SOURCE,
      }]);
    });

    it('refuses a page past the 10,000-row window of the cluster with an error naming page, without asking the cluster', async function () {
      exists = true;
      on('POST', '/prospects/_search', () => ({ hits: { total: { value: 0, relation: 'eq' }, hits: [] } }));

      await store.list({}, { page: 10, pageSize: 1000 });
      const error = await store.list({}, { page: 201, pageSize: 50 }).then(() => undefined, (caught: unknown) => caught);

      expect(error).to.be.instanceOf(AnalyticsQueryInvalidError);
      expect((error as AnalyticsQueryInvalidError).errors.page).to.match(/first 10,000 sign-ups: choose page 200 or lower/);
      expect(bodiesOf('POST', '/prospects/_search')).to.have.length(1);
    });
  });

  describe('stream', function () {
    it('reads chunk after chunk with search_after the last sort values, until a chunk comes back short', async function () {
      exists = true;
      const rows = [0, 1, 2].map((second) => newIndexedProspect({ signUpDate: new Date(Date.UTC(2026, 10, 23, 10, 0, 3 - second)) }));
      on('POST', '/prospects/_search', (params) => {
        const after = (params.body as { search_after?: unknown[] }).search_after;
        return { hits: { hits: (after === undefined ? rows.slice(0, 2) : rows.slice(2)).map(hit) } };
      });
      const streamed = [];
      for await (const row of store.stream({})) streamed.push(row.eventId);
      expect(streamed).to.deep.equal(rows.map((row) => row.eventId));
      const bodies = bodiesOf('POST', '/prospects/_search');
      const first = { size: 2, track_total_hits: false, query: { match_all: {} }, sort: NEWEST_FIRST, _source: SOURCE };
      expect(bodies).to.deep.equal([first, { ...first, search_after: [rows[1]!.signUpDate.getTime(), rows[1]!.eventId] }]);
    });
  });
});

describe('createElasticsearchConnection', function () {
  it('describes the cluster for the log with the credentials masked', async function () {
    const opened = createElasticsearchConnection({ url: 'https://elastic:changeme@es.example:9200', index: 'signups' });
    expect(opened.display).to.equal('https://***:***@es.example:9200 (index signups)');
    expect(opened.index).to.equal('signups');
    await opened.client.close();
    const withKey = createElasticsearchConnection({ url: 'http://es:9200', apiKey: 'c2VjcmV0' });
    expect(withKey.display).to.equal('http://es:9200 (index prospects, API key)');
    expect(withKey.display).to.not.include('c2VjcmV0');
    await withKey.client.close();
  });

  it('stops with one line naming Elasticsearch:Url when it is not set', function () {
    expect(() => createElasticsearchConnection({})).to.throw(/^Elasticsearch:Url is not set/).with.property('key', 'Elasticsearch:Url');
  });

  it('gives a transient ElasticsearchUnavailableError when nothing listens at the URL', async function () {
    const opened = createElasticsearchConnection({ url: 'http://127.0.0.1:9' }, { maxRetries: 0, requestTimeoutMs: 2000 });
    const store = new ElasticsearchProspectIndex(opened);
    try {
      const error = await store.indexMany([newIndexedProspect()]).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ElasticsearchUnavailableError);
      expect(isTransientError(error)).to.equal(true);
    } finally {
      await opened.client.close();
    }
  });
});
