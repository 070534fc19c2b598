import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { REPOSITORY_ROOT, workspacePackages } from '../../src/index.js';

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]((?:@[^/'"]+\/)?[^/'"]+)/g;

/** Every file under `directory` whose name ends with one of `extensions`, skipping node_modules and build output. */
function filesUnder(directory: string, extensions: readonly string[]): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && extensions.some((extension) => entry.name.endsWith(extension)))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !/[/\\](node_modules|dist)[/\\]/.test(file));
}

/** The package names the files import. */
function importedPackages(files: readonly string[]): Set<string> {
  return new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((match) => match[1]!)));
}

describe('runtime dependencies of the published packages', () => {
  const benchImports = importedPackages(filesUnder(path.join(REPOSITORY_ROOT, 'bench'), ['.js', '.ts']));

  const packages = workspacePackages();
  const manifestOf = (directory: string): { private?: boolean; dependencies?: Record<string, string> } =>
    JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { private?: boolean; dependencies?: Record<string, string> };
  /** The source of a package, where a dependency is imported or named (a database driver is named by the client knex loads). */
  const sourceOf = (directory: string): string => filesUnder(path.join(directory, 'src'), ['.ts', '.js', '.json'])
    .map((file) => readFileSync(file, 'utf8')).join('\n');

  for (const pkg of packages) {
    const manifest = manifestOf(pkg.directory);
    if (manifest.private === true) continue;

    it(`${pkg.name} installs nothing for its users that only the benchmarks import`, () => {
      const ours = packages.filter((other) => other === pkg || Object.hasOwn(manifest.dependencies ?? {}, other.name));
      const ownText = ours.map((other) => sourceOf(other.directory)).join('\n');
      const benchOnly = Object.keys(manifest.dependencies ?? {}).filter((name) => benchImports.has(name) && !ownText.includes(name));
      expect(benchOnly, `${pkg.name}: runtime dependencies only bench/ uses; make them devDependencies of the workspace root`).to.deep.equal([]);
    });
  }
});
