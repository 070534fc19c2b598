import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import { MAIN_PATH } from './web-process.js';

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cwd: string, env: Record<string, string>): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_PATH], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('signup-web with a configuration mistake', () => {
  let folder: string;

  before(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'signup-web-config-'));
  });

  after(() => rmSync(folder, { recursive: true, force: true }));

  it('exits 2 with one line naming the key, the value and the accepted names for an unknown implementation', async () => {
    const outcome = await run(folder, { Dependencies__IProspectSaveHandler: 'Foo' });
    expect(outcome.code).to.equal(2);
    const lines = outcome.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('Dependencies:IProspectSaveHandler');
    expect(lines[0]).to.contain('"Foo"');
    expect(lines[0]).to.contain('SynchronousProspectSaveHandler');
    expect(outcome.stderr).to.not.match(/\n\s+at /);
  });

  it('exits 2 for a port that is not a number', async () => {
    const outcome = await run(folder, { 'Web:Port': 'eighty' });
    expect(outcome.code).to.equal(2);
    expect(outcome.stderr).to.contain('Web:Port');
    expect(outcome.stderr.trim().split('\n')).to.have.length(1);
  });

  it('exits 2 with one line naming the variable for a tracing setting it cannot honour', async () => {
    const outcome = await run(folder, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(outcome.code).to.equal(2);
    expect(outcome.stderr.trim().split('\n')).to.deep.equal([
      'OTEL_EXPORTER_OTLP_PROTOCOL = "grpc" is not valid; use http/protobuf or http/json (grpc is not supported)',
    ]);
  });

  it('exits 2 for a malformed connection string, with no password in the message', async () => {
    const outcome = await run(folder, { ConnectionStrings__SignUpDb: 'oracle://scott:tiger@db/x' });
    expect(outcome.code).to.equal(2);
    expect(outcome.stderr).to.contain('ConnectionStrings:SignUpDb');
    expect(outcome.stderr).to.not.contain('tiger');
  });
});
