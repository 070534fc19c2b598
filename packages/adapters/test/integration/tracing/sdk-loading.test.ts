import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { describe, it } from 'mocha';

// A module hook in the child process prints every OpenTelemetry module it resolves.
const HOOKS = `
import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const match = /\\/node_modules\\/(@opentelemetry\\/[^/]+)\\//.exec(result.url);
  if (match) writeSync(2, 'resolved ' + match[1] + '\\n');
  return result;
}`;
const REGISTER = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));`;

function packagesLoaded(env: Record<string, string>): string[] {
  const script = `
    const { startTracing } = await import('@signup/adapters/tracing');
    const tracing = await startTracing('signup-web', ${JSON.stringify(env)});
    await tracing.shutdown();`;
  const child = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, '--input-type=module', '-e', script], {
    encoding: 'utf8', timeout: 20_000,
  });
  expect(child.status, child.stderr).to.equal(0);
  return [...new Set([...child.stderr.matchAll(/^resolved (\S+)$/gmu)].map((match) => match[1]!))].sort();
}

describe('startTracing module loading', function () {
  this.timeout(30_000);

  it('loads only the OpenTelemetry API when tracing is off', () => {
    expect(packagesLoaded({})).to.deep.equal(['@opentelemetry/api']);
  });

  it('loads the SDK and the exporter of the chosen protocol when tracing is on', () => {
    const loaded = packagesLoaded({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(loaded).to.include.members(['@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http']);
    expect(loaded).not.to.include('@opentelemetry/exporter-trace-otlp-proto');
  });
});
