import { ConfigurationError } from '../config/configuration-error.js';
import { maskSecrets } from '../logging/index.js';

/** Where finished spans go. */
export type TracesExporter = 'otlp' | 'console';

/** How OTLP is encoded over HTTP. */
export type OtlpProtocol = 'http/json' | 'http/protobuf';

/** Which spans are kept, from `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`. */
export interface TracesSamplerSettings {
  readonly name: 'always_on' | 'always_off' | 'traceidratio'
    | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';
  /** The ratio of the `traceidratio` samplers, 0 to 1. */
  readonly ratio: number;
}

/** Tracing turned on: what `startTracing` sets up. */
export interface TracingEnabledSettings {
  readonly enabled: true;
  readonly serviceName: string;
  readonly exporter: TracesExporter;
  readonly protocol: OtlpProtocol;
  /** The full URL spans are posted to (already ending in `/v1/traces` unless given per signal). */
  readonly endpoint: string;
  readonly sampler: TracesSamplerSettings;
  /** The batch span processor's bounds (`OTEL_BSP_*`), which keep a busy host's memory bounded. */
  readonly spanQueue: SpanQueueSettings;
  /** How many links a span keeps (`OTEL_SPAN_LINK_COUNT_LIMIT`): at least a batch's messages, so a batch span links to all of them. */
  readonly linkCountLimit: number;
}

/** How many finished spans wait for export, and how many go in one export. */
export interface SpanQueueSettings {
  /** `OTEL_BSP_MAX_QUEUE_SIZE`: spans finished beyond it while the queue is full are dropped (and counted in a warning). */
  readonly maxQueueSize: number;
  /** `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`: spans per export request; never more than the queue. */
  readonly maxExportBatchSize: number;
}

/**
 * The span queue's bounds when `OTEL_BSP_*` leave them unset: the SDK's own figures,
 * given explicitly so they are validated and documented in one place. A host that
 * finishes spans faster than they are exported (a handler draining a backlog) holds at
 * most this many and drops the rest, counted in a warning. Smaller queues were measured
 * and did not lower the traced handler's peak memory (docs/benchmarks.md).
 */
export const DEFAULT_SPAN_QUEUE: SpanQueueSettings = Object.freeze({ maxQueueSize: 2048, maxExportBatchSize: 512 });

/**
 * How many links a span keeps unless `OTEL_SPAN_LINK_COUNT_LIMIT` says otherwise: the
 * largest batch a subscriber hands a handler by default (JetStream, 1000 messages), so
 * the batch span links to every message of its batch. The SDK's own default, 128,
 * would drop the rest.
 */
export const DEFAULT_LINK_COUNT_LIMIT = 1000;

/** The tracing settings of a host: off, or what to export where. */
export type TracingSettings = { readonly enabled: false } | TracingEnabledSettings;

/** The environment variables read, as `process.env` holds them. */
export type TracingEnvironment = Readonly<Record<string, string | undefined>>;

const DEFAULT_OTLP_BASE = 'http://localhost:4318';
const TRACES_PATH = 'v1/traces';
const EXPORTERS: readonly string[] = ['otlp', 'console', 'none'];
const PROTOCOLS: readonly string[] = ['http/json', 'http/protobuf'];
const SAMPLERS: readonly string[] = ['always_on', 'always_off', 'traceidratio',
  'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

function invalid(key: string, value: string, accepted: string): ConfigurationError {
  return new ConfigurationError(key, `${key} = ${JSON.stringify(maskSecrets(value))} is not valid; use ${accepted}`);
}

function read(env: TracingEnvironment, key: string): string | undefined {
  const value = env[key]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function readHttpUrl(env: TracingEnvironment, key: string): URL | undefined {
  const value = read(env, key);
  if (value === undefined) return undefined;
  const url = URL.parse(value);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw invalid(key, value, 'an http:// or https:// URL such as http://localhost:4318');
  }
  return url;
}

function readEndpoint(env: TracingEnvironment): string {
  const perSignal = readHttpUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (perSignal !== undefined) return perSignal.href;
  // The general endpoint is a base: the signal's path is appended to it (OpenTelemetry's exporter rules).
  const base = readHttpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT')?.href ?? `${DEFAULT_OTLP_BASE}/`;
  return `${base}${base.endsWith('/') ? '' : '/'}${TRACES_PATH}`;
}

function readPositiveInteger(env: TracingEnvironment, key: string, fallback: number): number {
  const value = read(env, key);
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(number) && number >= 1)) throw invalid(key, value, 'a whole number of at least 1');
  return number;
}

function readSpanQueue(env: TracingEnvironment): SpanQueueSettings {
  const maxQueueSize = readPositiveInteger(env, 'OTEL_BSP_MAX_QUEUE_SIZE', DEFAULT_SPAN_QUEUE.maxQueueSize);
  const exportBatchSet = read(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE') !== undefined;
  const maxExportBatchSize = readPositiveInteger(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', DEFAULT_SPAN_QUEUE.maxExportBatchSize);
  if (exportBatchSet && maxExportBatchSize > maxQueueSize) {
    throw invalid('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', String(maxExportBatchSize), `at most OTEL_BSP_MAX_QUEUE_SIZE (${maxQueueSize})`);
  }
  // A queue set smaller than the default export batch exports whole queues.
  return { maxQueueSize, maxExportBatchSize: Math.min(maxExportBatchSize, maxQueueSize) };
}

function readSampler(env: TracingEnvironment): TracesSamplerSettings {
  const nameValue = read(env, 'OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  const name = nameValue.toLowerCase();
  if (!SAMPLERS.includes(name)) throw invalid('OTEL_TRACES_SAMPLER', nameValue, SAMPLERS.join(', '));
  const argument = read(env, 'OTEL_TRACES_SAMPLER_ARG');
  let ratio = 1;
  if (argument !== undefined && name.endsWith('traceidratio')) {
    ratio = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(argument) ? Number(argument) : Number.NaN;
    if (!(ratio >= 0 && ratio <= 1)) throw invalid('OTEL_TRACES_SAMPLER_ARG', argument, 'a ratio from 0 to 1, such as 0.25');
  }
  return { name: name as TracesSamplerSettings['name'], ratio };
}

/**
 * Reads the standard OpenTelemetry variables that turn tracing on and say where spans go.
 * Tracing is off unless `OTEL_TRACES_EXPORTER` is `otlp` or `console` (unset and `none`
 * mean off, and so does `OTEL_SDK_DISABLED=true`). With `otlp`, spans are posted to
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as given, else to `OTEL_EXPORTER_OTLP_ENDPOINT` +
 * `/v1/traces`, else to `http://localhost:4318/v1/traces`, encoded as
 * `OTEL_EXPORTER_OTLP_PROTOCOL` says (`http/protobuf`, the default, or `http/json`).
 * `OTEL_SERVICE_NAME` overrides the host's default name. The sampler defaults to
 * `parentbased_always_on`. The span queue is bounded by `OTEL_BSP_MAX_QUEUE_SIZE` and
 * `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, by default `DEFAULT_SPAN_QUEUE`; a span keeps
 * `OTEL_SPAN_LINK_COUNT_LIMIT` links, by default `DEFAULT_LINK_COUNT_LIMIT`. See
 * docs/observability.md.
 *
 * @throws ConfigurationError naming the variable, the bad value and the accepted values.
 */
export function readTracingSettings(defaultServiceName: string, env: TracingEnvironment): TracingSettings {
  const exporterValue = read(env, 'OTEL_TRACES_EXPORTER') ?? 'none';
  const exporter = exporterValue.toLowerCase();
  if (!EXPORTERS.includes(exporter)) throw invalid('OTEL_TRACES_EXPORTER', exporterValue, 'otlp, console or none');
  const disabledValue = read(env, 'OTEL_SDK_DISABLED');
  if (disabledValue !== undefined && !['true', 'false'].includes(disabledValue.toLowerCase())) {
    throw invalid('OTEL_SDK_DISABLED', disabledValue, 'true or false');
  }
  const protocolValue = read(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') === undefined ? 'OTEL_EXPORTER_OTLP_PROTOCOL' : 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL';
  const protocolSetting = read(env, protocolValue) ?? 'http/protobuf';
  if (!PROTOCOLS.includes(protocolSetting.toLowerCase())) {
    throw invalid(protocolValue, protocolSetting, 'http/protobuf or http/json (grpc is not supported)');
  }
  const endpoint = readEndpoint(env);
  const sampler = readSampler(env);
  const spanQueue = readSpanQueue(env);
  const linkCountLimit = readPositiveInteger(env, 'OTEL_SPAN_LINK_COUNT_LIMIT', DEFAULT_LINK_COUNT_LIMIT);
  if (exporter === 'none' || disabledValue?.toLowerCase() === 'true') return { enabled: false };
  return {
    enabled: true,
    serviceName: read(env, 'OTEL_SERVICE_NAME') ?? defaultServiceName,
    exporter: exporter as TracesExporter,
    protocol: protocolSetting.toLowerCase() as OtlpProtocol,
    endpoint,
    sampler,
    spanQueue,
    linkCountLimit,
  };
}
