import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, describe, it } from 'mocha';
import { REPOSITORY_ROOT } from '../../src/index.js';

const SCRIPT = path.join(REPOSITORY_ROOT, '.ci', 'audit-runtime-dependencies.js');

describe('.ci/audit-runtime-dependencies.js', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'signup-ci-audit-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  /** Runs the script with a stand-in for npm that prints `json` for `--json` and exits with `status`. */
  function auditWith(name: string, json: unknown, status: number): { status: number | null; stdout: string; stderr: string } {
    const npm = path.join(folder, name);
    writeFileSync(npm, `#!/bin/sh\ncase "$*" in *--json*) printf '%s' '${JSON.stringify(json).replaceAll("'", '')}';; *) echo "stand-in report";; esac\nexit ${status}\n`);
    chmodSync(npm, 0o755);
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { ...process.env, NPM_AUDIT_COMMAND: npm } });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  it('fails on a high or critical advisory in the runtime dependencies, printing npm\'s report', () => {
    const run = auditWith('npm-finding', {
      auditReportVersion: 2, vulnerabilities: { koa: { severity: 'high' } },
      metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 1, critical: 0, total: 1 } },
    }, 1);

    expect(run.status).to.equal(1);
    expect(run.stdout).to.contain('stand-in report');
    expect(run.stderr).to.contain('npm audit: 1 high or critical advisories in the runtime dependencies');
  });

  it('passes with no advisory at that level', () => {
    const run = auditWith('npm-clean', {
      auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { low: 2, high: 0, critical: 0, total: 2 } },
    }, 0);

    expect(run.status).to.equal(0);
    expect(run.stdout).to.equal('[ci] npm audit: no high or critical advisory in the runtime dependencies (2 below that level)\n');
  });

  it('says in one line, and does not fail, when the audit service cannot be reached', () => {
    const unreachable = auditWith('npm-offline', { error: { code: 'ENOTFOUND', summary: 'request to the registry failed, reason: getaddrinfo ENOTFOUND' } }, 1);
    const refused = auditWith('npm-405', { message: '405 Method Not Allowed - POST /-/npm/v1/security/advisories/bulk', error: { summary: '' } }, 1);

    for (const run of [unreachable, refused]) {
      expect(run.status).to.equal(0);
      expect(run.stdout.trimEnd().split('\n')).to.have.length(1);
      expect(run.stdout).to.match(/^\[ci\] npm audit: the registry's audit service could not be reached \(.+\); the runtime dependencies were not audited\n$/);
    }
  });
});
