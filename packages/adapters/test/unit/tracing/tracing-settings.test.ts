import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  DEFAULT_LINK_COUNT_LIMIT, DEFAULT_SPAN_QUEUE, readTracingSettings, type TracingEnvironment,
} from '../../../src/tracing/tracing-settings.js';

function errorOf(env: TracingEnvironment): ConfigurationError {
  try {
    readTracingSettings('signup-web', env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('readTracingSettings', () => {
  it('leaves tracing off when no variable is set', () => {
    expect(readTracingSettings('signup-web', {})).to.deep.equal({ enabled: false });
  });

  it('leaves tracing off for the none exporter and when the SDK is disabled', () => {
    expect(readTracingSettings('signup-web', { OTEL_TRACES_EXPORTER: 'none' }).enabled).to.equal(false);
    expect(readTracingSettings('signup-web', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }).enabled).to.equal(false);
  });

  it('defaults to OTLP over HTTP protobuf to localhost:4318, the host name and a parent-based sampler', () => {
    expect(readTracingSettings('signup-handler', { OTEL_TRACES_EXPORTER: 'otlp' })).to.deep.equal({
      enabled: true,
      serviceName: 'signup-handler',
      exporter: 'otlp',
      protocol: 'http/protobuf',
      endpoint: 'http://localhost:4318/v1/traces',
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      spanQueue: DEFAULT_SPAN_QUEUE,
      linkCountLimit: DEFAULT_LINK_COUNT_LIMIT,
    });
  });

  it('bounds the span queue by default and keeps the links of a whole batch of 1000', () => {
    expect(DEFAULT_SPAN_QUEUE).to.deep.equal({ maxQueueSize: 2048, maxExportBatchSize: 512 });
    expect(DEFAULT_LINK_COUNT_LIMIT).to.be.at.least(1000);
  });

  it('lets the OTEL_BSP_* and OTEL_SPAN_LINK_COUNT_LIMIT variables override the bounds', () => {
    const settings = readTracingSettings('signup-handler', {
      OTEL_TRACES_EXPORTER: 'otlp', OTEL_BSP_MAX_QUEUE_SIZE: '8192', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1024', OTEL_SPAN_LINK_COUNT_LIMIT: '5000',
    });
    expect(settings.enabled && settings.spanQueue).to.deep.equal({ maxQueueSize: 8192, maxExportBatchSize: 1024 });
    expect(settings.enabled && settings.linkCountLimit).to.equal(5000);
  });

  it('exports whole queues when only a queue smaller than the default export batch is set', () => {
    const settings = readTracingSettings('signup-handler', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_BSP_MAX_QUEUE_SIZE: '100' });
    expect(settings.enabled && settings.spanQueue).to.deep.equal({ maxQueueSize: 100, maxExportBatchSize: 100 });
  });

  it('appends the traces path to the general endpoint and uses the per-signal endpoint as given', () => {
    const general = readTracingSettings('signup-web', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(general.enabled && general.endpoint).to.equal('http://collector:4318/v1/traces');
    const prefixed = readTracingSettings('signup-web', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/otel/' });
    expect(prefixed.enabled && prefixed.endpoint).to.equal('http://collector:4318/otel/v1/traces');
    const perSignal = readTracingSettings('signup-web', {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/custom/traces',
    });
    expect(perSignal.enabled && perSignal.endpoint).to.equal('http://jaeger:4318/custom/traces');
  });

  it('takes the service name, JSON protocol and a ratio sampler from their variables', () => {
    const settings = readTracingSettings('signup-web', {
      OTEL_TRACES_EXPORTER: 'OTLP',
      OTEL_SERVICE_NAME: 'shop-web',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(settings).to.include({ serviceName: 'shop-web', protocol: 'http/json', exporter: 'otlp' });
    expect(settings.enabled && settings.sampler).to.deep.equal({ name: 'parentbased_traceidratio', ratio: 0.25 });
  });

  const badValues: readonly [string, TracingEnvironment, string][] = [
    ['an unknown exporter', { OTEL_TRACES_EXPORTER: 'jaeger' }, 'OTEL_TRACES_EXPORTER = "jaeger" is not valid; use otlp, console or none'],
    ['grpc', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL = "grpc" is not valid; use http/protobuf or http/json (grpc is not supported)'],
    ['an endpoint that is not HTTP', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT = "collector:4318" is not valid'],
    ['an unknown sampler', { OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER = "sometimes" is not valid'],
    ['a ratio above 1', { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG = "1.5" is not valid'],
    ['a ratio that is not a number', { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG = "half" is not valid'],
    ['a bad OTEL_SDK_DISABLED', { OTEL_SDK_DISABLED: 'maybe' }, 'OTEL_SDK_DISABLED = "maybe" is not valid; use true or false'],
    ['a queue size that is not a whole number', { OTEL_BSP_MAX_QUEUE_SIZE: '2k' }, 'OTEL_BSP_MAX_QUEUE_SIZE = "2k" is not valid; use a whole number of at least 1'],
    ['an export batch of zero', { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0' }, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "0" is not valid'],
    ['an export batch above the queue', { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '200' }, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "200" is not valid; use at most OTEL_BSP_MAX_QUEUE_SIZE (100)'],
    ['a negative link limit', { OTEL_SPAN_LINK_COUNT_LIMIT: '-1' }, 'OTEL_SPAN_LINK_COUNT_LIMIT = "-1" is not valid'],
  ];
  for (const [what, env, message] of badValues) {
    it(`stops with a one-line error naming the variable for ${what}`, () => {
      const error = errorOf(env);
      expect(error.message).to.contain(message);
      expect(error.message).not.to.contain('\n');
      expect(error.key).to.equal(Object.keys(env).at(-1));
    });
  }

  it('masks credentials of a bad endpoint in the error', () => {
    expect(errorOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:secret@collector' }).message).not.to.contain('secret');
  });
});
