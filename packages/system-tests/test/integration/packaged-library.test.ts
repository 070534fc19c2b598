import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { connect, type NatsConnection } from 'nats';
import { createNatsMessaging } from '@signup/adapters/nats';
import { RecordingLogger } from '@signup/adapters/memory';
import { freePort } from '@signup/test-support/free-port';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { HostProcess, prospectEvent, prospectFields, postProspect, waitUntil } from '../../src/index.js';

const run = promisify(execFile);
const REPOSITORY = fileURLToPath(new URL('../../../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../../fixtures/packaged-consumer', import.meta.url));
const PACKED_WORKSPACES = ['packages/domain', 'packages/adapters', 'packages/host-web', 'packages/host-handler'];
const requireFromHere = createRequire(import.meta.url);

/** The version of a package the workspace has installed, so the consumer installs the same one from the npm cache. */
function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(REPOSITORY, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** The JavaScript file behind the `npx` on PATH, which the test runs with this node. */
function npxScript(): string {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    if (folder === '') continue;
    try {
      return realpathSync(path.join(folder, 'npx'));
    } catch {
      // not in this folder
    }
  }
  throw new Error('npx is not on PATH');
}

async function npm(args: readonly string[], cwd: string): Promise<string> {
  try {
    // A native module (better-sqlite3) is compiled against the headers of the node running the test.
    const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_nodedir: path.resolve(path.dirname(process.execPath), '..') };
    const { stdout } = await run('npm', [...args], { cwd, maxBuffer: 16 * 1024 * 1024, env });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} failed:\n${stdout}\n${stderr}`);
  }
}

// What workspace links hide (a file missing from `files`, an undeclared dependency, a broken
// `exports` map) shows only once the packages are installed the way users get them.
describe('the packages as users install them: npm pack, installed into a project outside the workspace', function () {
  this.timeout(120_000);

  let project: string;
  let nats: NatsServer;

  before(async function () {
    this.timeout(600_000);
    requireNatsServer(this);
    project = mkdtempSync(path.join(tmpdir(), 'signup-consumer-'));
    const tarballs = path.join(project, 'tarballs');
    mkdirSync(tarballs);
    for (const workspace of PACKED_WORKSPACES) {
      await npm(['pack', '--workspace', workspace, '--pack-destination', tarballs, '--silent'], REPOSITORY);
    }
    cpSync(FIXTURE, project, { recursive: true });
    const dependencies: Record<string, string> = {
      'reflect-metadata': installedVersion('reflect-metadata'),
      nats: installedVersion('nats'),
    };
    for (const tarball of readdirSync(tarballs)) {
      const name = `@signup/${tarball.replace(/^signup-/, '').replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`;
      dependencies[name] = `file:./tarballs/${tarball}`;
    }
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({
      name: 'signup-consumer',
      private: true,
      type: 'module',
      dependencies,
      devDependencies: { '@types/node': installedVersion('@types/node') },
      // npm 11 builds a native module only when the project allows its install script.
      allowScripts: { 'better-sqlite3': true },
    }, null, 2));
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error'], project);
    nats = await NatsServer.start();
  });

  after(async () => {
    await nats?.stop();
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it('compiles a strict NodeNext TypeScript consumer against the shipped declarations', async () => {
    const tsc = requireFromHere.resolve('typescript/bin/tsc');
    const compile = (...args: string[]): Promise<string> => run(process.execPath, [tsc, '-p', 'tsconfig.json', ...args], { cwd: project }).then(
      () => '',
      (error: Error & { stdout?: string }) => error.stdout || error.message,
    );

    expect(await compile(), 'tsc diagnostics').to.equal('');
    // The consumer skips library checks, as most projects do; ours must pass them all the same.
    // (The nats client's own declarations need the DOM library, so only ours are judged here.)
    const ours = (await compile('--noEmit', '--skipLibCheck', 'false')).split('\n').filter((line) => line.startsWith('node_modules/@signup/'));
    expect(ours, 'diagnostics in the shipped @signup declarations').to.deep.equal([]);
  });

  it('signs a prospect up through the use case wired with the in-memory fakes', async () => {
    const { stdout } = await run(process.execPath, ['dist/sign-up.js'], { cwd: project });
    const result = JSON.parse(stdout.trim()) as { status: string; correlationId: string; alreadyStored: boolean };

    expect(result.status).to.equal('queued');
    expect(result.correlationId).to.match(/^[0-9a-f-]{36}$/);
    expect(result.alreadyStored, 'the in-process save handler stored the event before the bus went idle').to.equal(true);
  });

  it('runs a handler of its own through the handler host, with readiness, metrics and a graceful stop', async () => {
    const metricsPort = await freePort();
    const handler = HostProcess.start({
      name: 'audit-handler',
      script: path.join(project, 'dist/audit-handler.js'),
      cwd: project,
      env: { MessageQueue__Url: nats.url, Metrics__Server__Enabled: 'true', Metrics__Server__Port: String(metricsPort) },
    });
    try {
      await handler.waitForLine('Listening on subject: events.prospect.signedup, queue: audit-handler');
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${metricsPort}/health/ready`)).status === 200, { timeoutMs: 10_000 });

      const client: NatsConnection = await connect({ servers: nats.url });
      const messaging = await createNatsMessaging(client, { mode: 'jetstream' }, new RecordingLogger());
      const event = prospectEvent(1);
      await messaging.publisher.publish(event);
      await client.drain();

      await handler.waitForLine(`Audited ${event.correlationId} from ${event.prospect.country.countryCode}`);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).to.match(/message_handler_events_total\{[^}]*handler="audit-handler"[^}]*\} 1/);
    } finally {
      const exit = await handler.stop();
      expect(exit.code, handler.output()).to.equal(0);
    }
  });

  it('serves the form and takes a sign-up with npx signup-web, on SQLite with no other service', async () => {
    const port = await freePort();
    const web = HostProcess.start({
      name: 'npx signup-web',
      script: npxScript(),
      args: ['--no-install', 'signup-web'],
      cwd: project,
      processGroup: true,
      env: { PORT: String(port), ConnectionStrings__SignUpDb: 'sqlite:./data/signup.db', npm_config_update_notifier: 'false' },
    });
    try {
      await web.waitForLine('Now listening on:', 60_000);
      const page = await fetch(`http://127.0.0.1:${port}/app/SignUp`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.include('First Name');

      const response = await postProspect(`http://127.0.0.1:${port}`, prospectFields(2));
      expect(response.status).to.equal(202);
      await web.waitForLine(/Prospect saved\. Prospect ID: \d+/);
    } finally {
      // npx itself ends by the signal; what matters is that signup-web stopped gracefully.
      await web.stop();
      expect(web.output()).to.match(/Received SIGTERM; stopping\n.*Stopped$/);
    }
  });
});
