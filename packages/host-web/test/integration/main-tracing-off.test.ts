import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { freePort, startWebProcess } from './web-process.js';

// A module-resolution hook that names every OpenTelemetry module the process loads.
const HOOKS = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const at = result.url.lastIndexOf('/node_modules/@opentelemetry/');
  if (at !== -1) process.stderr.write('LOADED ' + result.url.slice(at + 14).split('/').slice(0, 2).join('/') + '\\n');
  return result;
}
`;

describe('signup-web loads the OpenTelemetry SDK only when tracing is on', function () {
  this.timeout(60_000);
  let folder: string;
  let nodeOptions: string;

  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'signup-web-otel-'));
    writeFileSync(path.join(folder, 'hooks.mjs'), HOOKS);
    writeFileSync(path.join(folder, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(folder, 'hooks.mjs')).href)});\n`);
    nodeOptions = `--import ${pathToFileURL(path.join(folder, 'register.mjs')).href}`;
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  async function loadedPackages(env: Record<string, string>): Promise<string[]> {
    const web = await startWebProcess(folder, {
      NODE_OPTIONS: nodeOptions, Web__Port: String(await freePort()), ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}`, ...env,
    });
    const response = await fetch(`${web.url}/api/prospects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com', countryCode: 'GBR', roleCode: 'EN' }),
    });
    expect(response.status).to.equal(202);
    await web.stop();
    return [...new Set(web.output().split('\n').filter((line) => line.startsWith('LOADED ')).map((line) => line.slice('LOADED '.length)))].sort();
  }

  it('loads only @opentelemetry/api, through a sign-up, with no OTEL_* variable', async () => {
    expect(await loadedPackages({})).to.deep.equal(['@opentelemetry/api']);
  });

  it('loads the SDK with OTEL_TRACES_EXPORTER set (the check above can see it)', async () => {
    const loaded = await loadedPackages({ OTEL_TRACES_EXPORTER: 'console' });
    expect(loaded).to.include('@opentelemetry/sdk-trace-node');
  });
});
