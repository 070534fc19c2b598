import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { readSignUpSettings, Configuration } from '@signup/adapters/config';
import { freePort } from '@signup/test-support/free-port';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import {
  Dockerfile,
  REPOSITORY_ROOT,
  startSaveHandler,
  startWeb,
  workspacePackages,
  type HostProcess,
  type WebHost,
} from '../../src/index.js';

const dockerfile = Dockerfile.parse(readFileSync(path.join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8'));
const programs = workspacePackages().flatMap((pkg) => Object.entries(pkg.bin).map(([name, file]) => ({
  name,
  /** Where the image keeps the program's file: the repository's layout under /app. */
  imagePath: path.posix.join('/app', path.relative(REPOSITORY_ROOT, pkg.directory).split(path.sep).join('/'), file),
  repositoryPath: path.join(pkg.directory, file),
})));

/** Runs the image's HEALTHCHECK command here, with only these variables set; resolves to its exit code. */
function runHealthCheck(env: Record<string, string>): Promise<number> {
  const [program, ...args] = dockerfile.healthCheckCommand();
  expect(program, 'the health check runs node, the one program the image is sure to have').to.equal('node');
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (error) => {
      resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1);
    });
  });
}

describe('the Dockerfile', () => {
  it('starts every command under tini, which the final stage installs, to forward signals and reap children', () => {
    expect(dockerfile.execForm('ENTRYPOINT')).to.deep.equal(['tini', '--']);
    const installs = dockerfile.finalStage.filter((step) => step.keyword === 'RUN' && /apt-get install[^&]*\btini\b/.test(step.args));
    expect(installs, 'RUN apt-get install ... tini in the final stage').to.have.length(1);
  });

  it('runs signup-web by default, a program the packages install', () => {
    const cmd = dockerfile.execForm('CMD');
    expect(programs.map((program) => program.name)).to.include(cmd[0]);
    expect(cmd[0]).to.equal('signup-web');
  });

  it('puts both hosts\' programs on PATH, linked to the file each package names in its bin', () => {
    const links = dockerfile.finalStage.filter((step) => step.keyword === 'RUN').map((step) => step.args).join(' ');
    expect(programs.map((program) => program.name)).to.include.members(['signup-web', 'signup-handler']);
    for (const program of programs) {
      expect(existsSync(program.repositoryPath), program.repositoryPath).to.equal(true);
      expect(links).to.include(`ln -s ${program.imagePath} /usr/local/bin/${program.name}`);
    }
  });

  it('runs as a user other than root', () => {
    const user = dockerfile.last('USER')?.args.trim();
    expect(user, 'a USER instruction in the final stage').to.be.a('string');
    expect(['root', '0']).to.not.include((user as string).split(':')[0]);
  });

  it('turns the handler\'s metrics and health server on with a key the configuration reads', () => {
    const settings = readSignUpSettings(new Configuration(Object.entries(dockerfile.environment())
      .map(([name, value]) => [name.replaceAll('__', ':'), value] as const)));
    expect(settings.metricsServer.enabled).to.equal(true);
  });

  describe('HEALTHCHECK', function () {
    this.timeout(60_000);
    let web: WebHost | undefined;
    let nats: NatsServer | undefined;
    let handler: HostProcess | undefined;
    let directory: string;

    before(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'signup-image-'));
    });

    after(async () => {
      await web?.process.kill();
      await handler?.kill();
      await nats?.stop();
      rmSync(directory, { recursive: true, force: true });
    });

    it('asks /health/ready', () => {
      expect(dockerfile.healthCheckCommand().join(' ')).to.include("/health/ready'");
    });

    it('passes against a ready signup-web on its Web__Port', async () => {
      web = await startWeb({ ConnectionStrings__SignUpDb: `sqlite:${directory}/web.db` });
      expect((await fetch(`${web.url}/health/ready`)).status).to.equal(200);
      expect(await runHealthCheck({ Web__Port: String(web.port), Metrics__Server__Port: String(await freePort()) })).to.equal(0);
    });

    it('passes against a ready signup-handler\'s metrics server when no web listens', async function () {
      requireNatsServer(this);
      nats = await NatsServer.start();
      const metricsPort = await freePort();
      handler = await startSaveHandler({
        MessageQueue__Url: nats.url,
        ConnectionStrings__SignUpDb: `sqlite:${directory}/handler.db`,
        Metrics__Server__Enabled: 'true',
        Metrics__Server__Port: String(metricsPort),
      });
      expect(await runHealthCheck({ Web__Port: String(await freePort()), Metrics__Server__Port: String(metricsPort) })).to.equal(0);
    });

    it('fails when nothing answers on either port', async () => {
      expect(await runHealthCheck({ Web__Port: String(await freePort()), Metrics__Server__Port: String(await freePort()) })).to.equal(1);
    });
  });
});
