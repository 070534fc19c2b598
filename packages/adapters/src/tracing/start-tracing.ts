import { context, diag, DiagLogLevel, propagation, trace, type DiagLogFunction, type Tracer } from '@opentelemetry/api';
import { type ILogger } from '@signup/domain';
import { ConfigurationError } from '../config/configuration-error.js';
import { maskSecrets } from '../logging/index.js';
import type * as SdkTraceBase from '@opentelemetry/sdk-trace-base';
import { readTracingSettings, type TracesSamplerSettings, type TracingEnabledSettings, type TracingEnvironment, type TracingSettings } from './tracing-settings.js';

/** The instrumentation scope of every span SignUp makes. */
export const SIGNUP_TRACER_NAME = 'signup';

/** What `startTracing` returns: the tracer to hand to the parts that make spans, and how to stop. */
export interface Tracing {
  readonly settings: TracingSettings;
  /** Undefined when tracing is off: nothing should make spans then. */
  readonly tracer: Tracer | undefined;
  /** Exports the spans buffered so far (tests, or before a planned pause). Never rejects. */
  flush(): Promise<void>;
  /**
   * Exports the spans still buffered and unregisters the SDK. Never rejects: a collector that
   * cannot be reached is logged as a warning. Safe to call twice.
   */
  shutdown(): Promise<void>;
}

const SDK_PACKAGES = '@opentelemetry/sdk-trace-node @opentelemetry/sdk-trace-base @opentelemetry/resources '
  + '@opentelemetry/semantic-conventions @opentelemetry/exporter-trace-otlp-http @opentelemetry/exporter-trace-otlp-proto';


async function loadSdk<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new ConfigurationError('OTEL_TRACES_EXPORTER',
      `OTEL_TRACES_EXPORTER is set but the OpenTelemetry SDK is not installed; install ${SDK_PACKAGES}, or unset OTEL_TRACES_EXPORTER`,
      { cause: error });
  }
}

function createSampler(base: typeof SdkTraceBase, settings: TracesSamplerSettings): SdkTraceBase.Sampler {
  switch (settings.name) {
    case 'always_on': return new base.AlwaysOnSampler();
    case 'always_off': return new base.AlwaysOffSampler();
    case 'traceidratio': return new base.TraceIdRatioBasedSampler(settings.ratio);
    case 'parentbased_always_off': return new base.ParentBasedSampler({ root: new base.AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new base.ParentBasedSampler({ root: new base.TraceIdRatioBasedSampler(settings.ratio) });
    case 'parentbased_always_on': return new base.ParentBasedSampler({ root: new base.AlwaysOnSampler() });
  }
}

async function createSpanProcessor(base: typeof SdkTraceBase, settings: TracingEnabledSettings): Promise<SdkTraceBase.SpanProcessor> {
  if (settings.exporter === 'console') return new base.SimpleSpanProcessor(new base.ConsoleSpanExporter());
  const { OTLPTraceExporter } = settings.protocol === 'http/json'
    ? await loadSdk(() => import('@opentelemetry/exporter-trace-otlp-http'))
    : await loadSdk(() => import('@opentelemetry/exporter-trace-otlp-proto'));
  // Given explicitly, so the bounds are ours (validated, with our defaults) rather than the SDK's.
  return new base.BatchSpanProcessor(new OTLPTraceExporter({ url: settings.endpoint }), {
    maxQueueSize: settings.spanQueue.maxQueueSize,
    maxExportBatchSize: settings.spanQueue.maxExportBatchSize,
  });
}

/**
 * Starts tracing as the `OTEL_*` variables of `env` say (see `readTracingSettings` and
 * docs/observability.md). When they leave tracing off (the default) it loads nothing and
 * returns no tracer. When on, it loads the OpenTelemetry SDK (only then), registers it
 * globally (tracer provider, W3C trace-context propagation, async context) and returns a
 * tracer; call `shutdown` on exit so buffered spans are sent. It logs where spans go in
 * one line; the SDK's own complaints (a collector that refuses spans, say) go to `logger`
 * as warnings.
 *
 * @throws ConfigurationError for a bad `OTEL_*` value, or when tracing is on and the SDK
 *   packages are not installed.
 */
export async function startTracing(defaultServiceName: string, env: TracingEnvironment = process.env, logger?: ILogger): Promise<Tracing> {
  const settings = readTracingSettings(defaultServiceName, env);
  if (!settings.enabled) return { settings, tracer: undefined, flush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  const [{ NodeTracerProvider }, base, { defaultResource, resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await loadSdk(() => Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]));
  const provider = new NodeTracerProvider({
    // The SDK's default resource names the SDK (telemetry.sdk.*); the service name is ours.
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName })),
    sampler: createSampler(base, settings.sampler),
    spanLimits: { linkCountLimit: settings.linkCountLimit },
    spanProcessors: [await createSpanProcessor(base, settings)],
  });
  provider.register();
  logger?.info(settings.exporter === 'console'
    ? `Tracing: spans of ${settings.serviceName} printed to standard output`
    : `Tracing: spans of ${settings.serviceName} exported to ${maskSecrets(settings.endpoint)} (${settings.protocol}), sampler ${settings.sampler.name}`);
  if (logger !== undefined) {
    const warn: DiagLogFunction = (message) => logger.warn(`OpenTelemetry: ${message}`);
    diag.setLogger({ error: warn, warn, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
  }
  let stopping: Promise<void> | undefined;
  return {
    settings,
    tracer: trace.getTracer(SIGNUP_TRACER_NAME),
    flush: () => provider.forceFlush().catch((error: unknown) => logger?.warn('Spans could not be exported', { error })),
    shutdown() {
      stopping ??= provider.shutdown()
        .catch((error: unknown) => logger?.warn('Spans could not be exported at shutdown', { error }))
        .finally(() => {
          trace.disable();
          context.disable();
          propagation.disable();
          diag.disable();
        });
      return stopping;
    },
  };
}
