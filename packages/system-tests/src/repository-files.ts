import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of the repository this package is built in. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A package of `packages/`, with the command-line programs it installs. */
export interface WorkspacePackage {
  readonly name: string;
  readonly directory: string;
  /** Program name to the file it runs, relative to the package's directory. */
  readonly bin: Readonly<Record<string, string>>;
}

/** Every package under `packages/`, read from its package.json. */
export function workspacePackages(): WorkspacePackage[] {
  const packagesDirectory = path.join(REPOSITORY_ROOT, 'packages');
  return readdirSync(packagesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const directory = path.join(packagesDirectory, entry.name);
      const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as {
        name: string;
        bin?: string | Record<string, string>;
      };
      const bin = typeof manifest.bin === 'string' ? { [manifest.name.replace(/^@[^/]+\//, '')]: manifest.bin } : manifest.bin ?? {};
      return { name: manifest.name, directory, bin };
    });
}
