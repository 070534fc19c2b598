import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** An attribute value as OTLP/JSON carries it, flattened to a plain value. */
export type ReceivedAttributeValue = string | number | boolean | null | readonly ReceivedAttributeValue[];

/** A span as received, with ids as lowercase hex. */
export interface ReceivedSpan {
  readonly serviceName: string | undefined;
  /** The attributes of the resource that sent the span (`service.name`, `telemetry.sdk.*`). */
  readonly resource: Readonly<Record<string, ReceivedAttributeValue>>;
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP's numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, ReceivedAttributeValue>>;
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  /** 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message?: string };
  readonly events: readonly { readonly name: string; readonly attributes: Readonly<Record<string, ReceivedAttributeValue>> }[];
}

/** OTLP span kinds. */
export const OTLP_SPAN_KIND = Object.freeze({ internal: 1, server: 2, client: 3, producer: 4, consumer: 5 });

const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  bytesValue?: string;
}
interface OtlpKeyValue { key: string; value?: OtlpAnyValue }
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: OtlpKeyValue[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
  events?: { name: string; attributes?: OtlpKeyValue[] }[];
}
interface OtlpTracesRequest {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

function toValue(value: OtlpAnyValue | undefined): ReceivedAttributeValue {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(toValue);
  return value.bytesValue ?? null;
}

function toAttributes(list: readonly OtlpKeyValue[] | undefined): Record<string, ReceivedAttributeValue> {
  const attributes: Record<string, ReceivedAttributeValue> = {};
  for (const { key, value } of list ?? []) attributes[key] = toValue(value);
  return attributes;
}

// OTLP/JSON writes ids as hex; some encoders write the protobuf default, base64. Both are accepted.
function toHexId(id: string | undefined): string | undefined {
  if (id === undefined || id === '') return undefined;
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('OTLP body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * An OTLP/HTTP receiver for tests: a node:http server on a free loopback port that accepts
 * `POST /v1/traces` with JSON bodies (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`, gzip or not),
 * keeps every span, and helps find spans and walk their parents and links. Protobuf bodies
 * are refused with 415, so a misconfigured exporter fails loudly instead of sending nothing.
 */
export class OtlpTraceReceiver {
  private readonly received: ReceivedSpan[] = [];
  private readonly waiters = new Set<() => void>();
  /** Bodies that were refused, with the reason: a test can show them when a span is missing. */
  readonly rejected: string[] = [];

  private constructor(private readonly server: Server, readonly port: number) {}

  /** Starts listening on 127.0.0.1 on a port the OS picks. */
  static async start(): Promise<OtlpTraceReceiver> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const receiver = new OtlpTraceReceiver(server, (server.address() as AddressInfo).port);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void receiver.handle(request, response);
    });
    return receiver;
  }

  /** The value for `OTEL_EXPORTER_OTLP_ENDPOINT` (the exporter appends `/v1/traces`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The value for `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. */
  get tracesUrl(): string {
    return `${this.baseUrl}/v1/traces`;
  }

  /** Every span received so far, in arrival order. */
  spans(): readonly ReceivedSpan[] {
    return [...this.received];
  }

  /** The spans of one name. */
  spansNamed(name: string): ReceivedSpan[] {
    return this.received.filter((span) => span.name === name);
  }

  /** The spans of one trace. */
  spansOfTrace(traceId: string): ReceivedSpan[] {
    return this.received.filter((span) => span.traceId === traceId);
  }

  /** The span with this id, if received. */
  spanById(spanId: string): ReceivedSpan | undefined {
    return this.received.find((span) => span.spanId === spanId);
  }

  /** The parent of `span`, if it was received. */
  parentOf(span: ReceivedSpan): ReceivedSpan | undefined {
    return span.parentSpanId === undefined ? undefined : this.received.find((candidate) =>
      candidate.spanId === span.parentSpanId && candidate.traceId === span.traceId);
  }

  /** The received ancestors of `span`, nearest first; stops at a parent that was not received. */
  ancestorsOf(span: ReceivedSpan): ReceivedSpan[] {
    const ancestors: ReceivedSpan[] = [];
    for (let parent = this.parentOf(span); parent !== undefined && ancestors.length < 1000; parent = this.parentOf(parent)) {
      ancestors.push(parent);
    }
    return ancestors;
  }

  /** True when `ancestor` is the parent of `span`, or the parent's parent, and so on. */
  isDescendantOf(span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
    return this.ancestorsOf(span).some((candidate) => candidate.spanId === ancestor.spanId && candidate.traceId === ancestor.traceId);
  }

  /** The received spans `span` links to. */
  linkedFrom(span: ReceivedSpan): ReceivedSpan[] {
    return span.links.flatMap((link) => this.received.filter((candidate) =>
      candidate.traceId === link.traceId && candidate.spanId === link.spanId));
  }

  /**
   * Resolves with the first received span that matches, waiting for it up to `timeoutMs`.
   * @throws Error naming the span names received so far when none matched in time.
   */
  async waitForSpan(matches: (span: ReceivedSpan) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(matches);
      if (found !== undefined) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const names = [...new Set(this.received.map((span) => span.name))].join(', ') || 'none';
        throw new Error(`No matching span within ${timeoutMs} ms; received: ${names}${this.rejected.length > 0 ? `; rejected: ${this.rejected.join('; ')}` : ''}`);
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.waiters.add(wake);
      });
    }
  }

  /** Forgets the spans received so far. */
  clear(): void {
    this.received.length = 0;
    this.rejected.length = 0;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const answer = (status: number, reason?: string): void => {
      if (reason !== undefined) this.rejected.push(reason);
      response.writeHead(status, { 'content-type': 'application/json' }).end(reason === undefined ? '{}' : JSON.stringify({ message: reason }));
    };
    try {
      if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/traces') {
        answer(404, `${request.method ?? '?'} ${request.url ?? '?'} is not POST /v1/traces`);
        return;
      }
      const contentType = request.headers['content-type'] ?? '';
      if (!contentType.startsWith('application/json')) {
        answer(415, `content type ${contentType || 'none'}: this receiver reads OTLP/HTTP JSON only`);
        return;
      }
      let body = await readBody(request);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      this.collect(JSON.parse(body.toString('utf8')) as OtlpTracesRequest);
      answer(200);
    } catch (error) {
      answer(400, `unreadable body: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private collect(body: OtlpTracesRequest): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      const resource = toAttributes(resourceSpans.resource?.attributes);
      const serviceName = resource['service.name'];
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.received.push({
            serviceName: typeof serviceName === 'string' ? serviceName : undefined,
            resource,
            traceId: toHexId(span.traceId) ?? '',
            spanId: toHexId(span.spanId) ?? '',
            parentSpanId: toHexId(span.parentSpanId),
            name: span.name,
            kind: span.kind ?? 0,
            attributes: toAttributes(span.attributes),
            links: (span.links ?? []).map((link) => ({ traceId: toHexId(link.traceId) ?? '', spanId: toHexId(link.spanId) ?? '' })),
            status: { code: span.status?.code ?? 0, ...(span.status?.message === undefined ? {} : { message: span.status.message }) },
            events: (span.events ?? []).map((event) => ({ name: event.name, attributes: toAttributes(event.attributes) })),
          });
        }
      }
    }
    for (const wake of [...this.waiters]) wake();
  }
}
