// Runs `npm audit --omit=dev --audit-level=high`: exits 1 when what the packages install
// for their users has a high or critical advisory, printing npm's report. When the
// registry's audit service cannot be reached or answers with an error instead of a
// report, it says so in one line and exits 0: an offline build is not a finding.
// NPM_AUDIT_COMMAND replaces the npm command (the tests give it a stand-in).
import { spawnSync } from 'node:child_process';
import process from 'node:process';

const command = process.env.NPM_AUDIT_COMMAND ?? 'npm';
const audit = (...extra) => spawnSync(command, ['audit', '--omit=dev', '--audit-level=high', ...extra], { encoding: 'utf8', shell: false });

const result = audit('--json');
let report;
try {
  report = JSON.parse(result.stdout);
} catch {
  report = undefined;
}
if (report === undefined || typeof report.vulnerabilities !== 'object' || report.vulnerabilities === null) {
  const reason = report?.message ?? report?.error?.summary ?? result.error?.message ?? (result.stderr.trim().split('\n').at(-1) || 'no report');
  process.stdout.write(`[ci] npm audit: the registry's audit service could not be reached (${String(reason).replace(/\s+/g, ' ')}); the runtime dependencies were not audited\n`);
  process.exit(0);
}
const counts = report.metadata?.vulnerabilities ?? {};
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
if (result.status === 0 && serious === 0) {
  process.stdout.write(`[ci] npm audit: no high or critical advisory in the runtime dependencies (${counts.total ?? 0} below that level)\n`);
  process.exit(0);
}
process.stdout.write(audit().stdout);
process.stderr.write(`[ci] npm audit: ${serious} high or critical advisories in the runtime dependencies\n`);
process.exit(1);
