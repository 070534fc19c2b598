// Checks that every package in the lockfile accepts the oldest release of each Node.js
// major this project supports (README.md, "Supported runtimes"), and that every
// workspace declares the root's range. Exits 1 listing each package that does not.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import semver from 'semver';

const root = JSON.parse(readFileSync('package.json', 'utf8'));
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const supported = root.engines.node;
// The oldest release each alternative of the root's range accepts: 20.19.0, 22.13.0, 24.0.0.
const oldest = supported.split('||').map((part) => semver.minVersion(part.trim()).version);

const problems = [];
for (const [location, entry] of Object.entries(lock.packages)) {
  const range = entry.engines?.node;
  const name = location === '' ? root.name : location.replace(/^.*node_modules\//, '');
  const isWorkspace = location !== '' && !location.includes('node_modules/');
  if (location === '' || isWorkspace) {
    if (range !== supported) problems.push(`${name}: engines.node is ${JSON.stringify(range)}, not the root's ${JSON.stringify(supported)}`);
    continue;
  }
  if (typeof range !== 'string' || entry.optional) continue;
  const rejected = oldest.filter((version) => !semver.satisfies(version, range, { includePrerelease: true }));
  if (rejected.length > 0) {
    problems.push(`${name}@${entry.version}${entry.dev ? ' (dev)' : ''}: engines.node "${range}" rejects Node ${rejected.join(', ')}`);
  }
}
if (problems.length > 0) {
  process.stderr.write(`Packages that do not accept every supported Node.js major (${oldest.join(', ')}):\n`);
  for (const problem of problems) process.stderr.write(`  ${problem}\n`);
  process.exit(1);
}
process.stdout.write(`All ${Object.keys(lock.packages).length} packages accept Node ${oldest.join(', ')}\n`);
