import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { freePort } from '@signup/test-support/free-port';
import { startHandlerProcess } from '../../src/index.js';

describe('signup-handler as a process: arguments, configuration and start-up failures', function () {
  this.timeout(60_000);

  let directory: string;
  before(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'signup-handler-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('exits 2 with the usage line for an unknown command', async () => {
    const host = startHandlerProcess({}, 'signup-handler reindex', ['reindex']);
    const exit = await host.exited;

    expect(exit.code).to.equal(2);
    expect(host.stderrLines).to.have.length(1);
    expect(host.stderrLines[0]).to.match(/^Unknown command "reindex"\. Usage: signup-handler (\w+\|)*save(\|\w+)*$/);
  });

  it('lists every command with one line each for --help, and exits 0', async () => {
    const host = startHandlerProcess({}, 'signup-handler --help', ['--help']);
    const exit = await host.exited;

    expect(exit.code).to.equal(0);
    expect(host.stderrLines).to.deep.equal([]);
    expect(host.output()).to.match(/^ {2}save +Subscribes as save-handler and saves each signed-up prospect to the database\.$/m);
    expect(host.output()).to.match(/^ {2}index +Subscribes as index-handler and writes each signed-up prospect to the analytics store\.$/m);
  });

  it('exits 2 with one line naming MessageQueue:Url when it is not set', async () => {
    const host = startHandlerProcess({ ConnectionStrings__SignUpDb: `sqlite:${directory}/unset.db` });
    const exit = await host.exited;

    expect(exit.code).to.equal(2);
    expect(host.stderrLines).to.have.length(1);
    expect(host.stderrLines[0]).to.match(/^MessageQueue:Url is not set; the message handler needs NATS/);
  });

  it('exits 2 with one line for a malformed setting, without a stack trace', async () => {
    const host = startHandlerProcess({ MessageQueue__Url: 'nats://127.0.0.1:4222', MessageQueue__Mode: 'turbo' });
    const exit = await host.exited;

    expect(exit.code).to.equal(2);
    expect(host.stderrLines).to.have.length(1);
    expect(host.stderrLines[0]).to.include('MessageQueue:Mode = "turbo"');
  });

  it('exits 2 with one line naming the variable for a tracing setting it cannot honour', async () => {
    const host = startHandlerProcess({
      MessageQueue__Url: 'nats://127.0.0.1:4222', OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'sometimes',
    });
    const exit = await host.exited;

    expect(exit.code).to.equal(2);
    expect(host.stderrLines).to.have.length(1);
    expect(host.stderrLines[0]).to.match(/^OTEL_TRACES_SAMPLER = "sometimes" is not valid/);
  });

  it('exits 1 with one clear line, credentials masked, when NATS is unreachable at start', async () => {
    const port = await freePort();
    const host = startHandlerProcess({
      MessageQueue__Url: `nats://signup:s3cret@127.0.0.1:${port}`,
      ConnectionStrings__SignUpDb: `sqlite:${directory}/nats-down.db`,
    });
    const exit = await host.exited;

    expect(exit.code).to.equal(1);
    expect(host.stderrLines).to.have.length(1);
    expect(host.stderrLines[0]).to.match(/^signup-handler save could not start: .*message queue/i);
    expect(host.output()).to.not.include('s3cret');
    expect(host.output()).to.not.match(/\n\s+at /);
  });

  it('exits 1 with one clear line when the database is unreachable at start', async () => {
    const [natsPort, databasePort] = [await freePort(), await freePort()];
    const host = startHandlerProcess({
      MessageQueue__Url: `nats://127.0.0.1:${natsPort}`,
      ConnectionStrings__SignUpDb: `postgres://signup:pw-s3cret@127.0.0.1:${databasePort}/signup`,
    });
    const exit = await host.exited;

    expect(exit.code).to.equal(1);
    expect(host.stderrLines).to.have.length(1);
    expect(host.stderrLines[0]).to.match(/^signup-handler save could not start: .*database/i);
    expect(host.output()).to.not.include('pw-s3cret');
  });
});
