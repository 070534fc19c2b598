import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import {
  isSignUpConfigurationKey,
  loadConfiguration,
  readSignUpSettings,
  type SignUpSettings,
} from '@signup/adapters/config';
import { findImplementation, implementationRegistry, type ConfigurablePort } from '@signup/adapters/di';
import { parseConnectionString } from '@signup/adapters/sql';
import { loadHandlerSettings } from '@signup/host-handler';
import { Dockerfile, readComposeServices, REPOSITORY_ROOT, workspacePackages, type ComposeService } from '../../src/index.js';

const COMPOSE_DIRECTORY = path.join(REPOSITORY_ROOT, 'examples', 'compose');
const WEB_APP_SETTINGS = path.join(REPOSITORY_ROOT, 'packages', 'host-web', 'appsettings.json');

/**
 * Keys the compose files use ahead of the code that reads them (docs/operations.md
 * describes them). Each is tolerated while the configuration does not know it, and
 * must leave this list as soon as it does, so its value gets checked from then on.
 */
const KEYS_AHEAD_OF_THE_CODE: readonly string[] = [];

const composeFiles = readdirSync(COMPOSE_DIRECTORY).filter((file) => /\.ya?ml$/.test(file)).sort();
const dockerfile = Dockerfile.parse(readFileSync(path.join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8'));
const bins = new Set(workspacePackages().flatMap((pkg) => Object.keys(pkg.bin)));

/** The services that run the SignUp image: those whose command (or the image's CMD) is one of our programs. */
function signUpServices(file: string): { service: ComposeService; program: string }[] {
  return readComposeServices(path.join(COMPOSE_DIRECTORY, file))
    .filter((service) => service.image?.startsWith('signup:') === true)
    .map((service) => ({ service, program: (service.command ?? dockerfile.execForm('CMD'))[0] as string }));
}

function normalised(name: string): string {
  return name.replaceAll('__', ':');
}

function isAheadOfTheCode(name: string): boolean {
  return KEYS_AHEAD_OF_THE_CODE.some((key) => key.toLowerCase() === normalised(name).toLowerCase());
}

/** The image's SignUp variables, then the service's: what the process sees. */
function containerEnvironment(service: ComposeService): Record<string, string> {
  const image = Object.fromEntries(Object.entries(dockerfile.environment()).filter(([name]) => isSignUpConfigurationKey(name)));
  const own = Object.fromEntries(Object.entries(service.environment).filter(([name]) => !isAheadOfTheCode(name)));
  return { ...image, ...own };
}

/** Everything the host checks at start that does not need a server: settings, implementation names, connection string. */
function checkAsTheHostWould(settings: SignUpSettings): void {
  for (const port of Object.keys(implementationRegistry) as ConfigurablePort[]) {
    findImplementation(port, settings.dependencies[port]).binder(settings);
  }
  parseConnectionString(settings.database.connectionString);
}

describe('the compose files in examples/compose', () => {
  let workDirectory: string;
  before(() => {
    workDirectory = mkdtempSync(path.join(tmpdir(), 'signup-compose-'));
  });
  after(() => rmSync(workDirectory, { recursive: true, force: true }));

  it('include the v4, analytics and local deployments, each running the SignUp image', () => {
    expect(composeFiles).to.include.members(['analytics.yml', 'local.yml', 'v4.yml']);
    for (const file of composeFiles) expect(signUpServices(file), file).to.not.be.empty;
  });

  for (const file of composeFiles) {
    describe(file, () => {
      it('runs only programs the packages install', () => {
        for (const { service, program } of signUpServices(file)) {
          expect([...bins], `${file}: ${service.name} runs "${program}"`).to.include(program);
        }
      });

      it('sets only configuration keys the hosts read', () => {
        const unknown = signUpServices(file).flatMap(({ service }) => Object.keys(service.environment)
          .filter((name) => !isSignUpConfigurationKey(name) && !isAheadOfTheCode(name))
          .map((name) => `${service.name}: ${name}`));
        expect(unknown, `${file}: keys no host reads`).to.deep.equal([]);
      });

      it('gives every key a value the host accepts at start', () => {
        for (const { service, program } of signUpServices(file)) {
          const env = containerEnvironment(service);
          const settings = program === 'signup-handler'
            ? loadHandlerSettings({ env, cwd: workDirectory })
            : readSignUpSettings(loadConfiguration({ env, cwd: workDirectory, appSettingsPath: WEB_APP_SETTINGS }));
          checkAsTheHostWould(settings);
        }
      });
    });
  }

  it('uses no key ahead of the code that the configuration already reads', () => {
    const known = KEYS_AHEAD_OF_THE_CODE.filter((key) => isSignUpConfigurationKey(key));
    expect(known, 'the configuration reads these now: remove them from KEYS_AHEAD_OF_THE_CODE').to.deep.equal([]);
  });
});
