import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { parse } from 'yaml';
import {
  isSignUpConfigurationKey,
  loadConfiguration,
  readSignUpSettings,
  type SignUpSettings,
} from '@signup/adapters/config';
import { findImplementation, implementationRegistry, type ConfigurablePort } from '@signup/adapters/di';
import { parseConnectionString } from '@signup/adapters/sql';
import { loadHandlerSettings } from '@signup/host-handler';
import {
  Dockerfile, interpolate, readComposeServices, readEnvFile, referencedVariables, REPOSITORY_ROOT, workspacePackages, type ComposeService,
} from '../../src/index.js';

const COMPOSE_DIRECTORY = path.join(REPOSITORY_ROOT, 'examples', 'compose');
const WEB_APP_SETTINGS = path.join(REPOSITORY_ROOT, 'packages', 'host-web', 'appsettings.json');

/**
 * Keys the compose files use ahead of the code that reads them (docs/operations.md
 * describes them). Each is tolerated while the configuration does not know it, and
 * must leave this list as soon as it does, so its value gets checked from then on.
 */
const KEYS_AHEAD_OF_THE_CODE: readonly string[] = [];

const composeFiles = readdirSync(COMPOSE_DIRECTORY).filter((file) => /\.ya?ml$/.test(file)).sort();
/** The variables examples/compose/.env.example documents, each given a value as a user would in .env. */
const documented = readEnvFile(path.join(COMPOSE_DIRECTORY, '.env.example'));
const userEnv = Object.fromEntries(Object.entries(documented).map(([name, value]) => [name, value === '' ? `chosen-${name.toLowerCase()}-value` : value]));
// Deployments that must not write a password themselves; v4.yml keeps the original's, as it says.
const FILES_WITHOUT_PASSWORDS = ['local.yml', 'analytics.yml'];
const dockerfile = Dockerfile.parse(readFileSync(path.join(REPOSITORY_ROOT, 'Dockerfile'), 'utf8'));
const bins = new Set(workspacePackages().flatMap((pkg) => Object.keys(pkg.bin)));

/** The services that run the SignUp image: those whose command (or the image's CMD) is one of our programs. */
function signUpServices(file: string): { service: ComposeService; program: string }[] {
  return readComposeServices(path.join(COMPOSE_DIRECTORY, file), userEnv)
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

  it('document in .env.example every variable they use', () => {
    for (const file of composeFiles) {
      const used = referencedVariables(readFileSync(path.join(COMPOSE_DIRECTORY, file), 'utf8'));
      expect(Object.keys(documented), `${file} uses ${used.join(', ')}`).to.include.members(used);
    }
  });

  for (const file of FILES_WITHOUT_PASSWORDS) {
    it(`${file} takes every password from .env and will not start without it`, () => {
      const services = readComposeServices(path.join(COMPOSE_DIRECTORY, file));
      const secrets = services.flatMap((service) => Object.entries(service.environment)
        .filter(([name]) => /password/i.test(name))
        .map(([name, value]) => ({ where: `${service.name}: ${name}`, value }))
        .concat(Object.entries(service.environment).filter(([name]) => /^ConnectionStrings/i.test(normalised(name)))
          .map(([name, value]) => ({ where: `${service.name}: ${name}`, value: /^[a-z]+:\/\/[^:@/]*:(.*)@[^@]*$/.exec(value)?.[1] ?? '' }))));
      expect(secrets, file).to.not.be.empty;
      for (const { where, value } of secrets) expect(value, where).to.match(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      expect(() => readComposeServices(path.join(COMPOSE_DIRECTORY, file), {}), 'without .env').to.throw(/set [A-Z_]+ in examples\/compose\/\.env/);
    });
  }

  it('analytics.yml publishes Elasticsearch and Kibana, whose security is off, on no interface but this machine\'s', () => {
    const text = readFileSync(path.join(COMPOSE_DIRECTORY, 'analytics.yml'), 'utf8');
    const { services } = parse(text) as { services: Record<string, { ports?: unknown[] }> };
    for (const name of ['elasticsearch', 'kibana']) {
      for (const port of services[name]?.ports ?? []) expect(String(port), `${name} publishes ${String(port)}`).to.match(/^127\.0\.0\.1:/);
    }
    expect(services.kibana?.ports, 'Kibana').to.deep.equal(['127.0.0.1:5601:5601']);
    expect(text).to.contain('Security is off for the demo').and.contain('127.0.0.1 only');
  });

  it('v4.yml keeps the original\'s settings and says why', () => {
    const text = readFileSync(path.join(COMPOSE_DIRECTORY, 'v4.yml'), 'utf8');
    expect(text).to.contain('Password=DockerCon!!!').and.contain('keeps the original\'s settings');
  });

  it('reads variables into the files as compose does', () => {
    expect(interpolate('a $$ b ${X:-d} ${Y} $Y ${Z:?needed}', { Y: 'y', Z: 'z' })).to.equal('a $ b d y y z');
    expect(() => interpolate('${Z:?set Z}', { Z: '' })).to.throw('Z: set Z');
  });

  it('uses no key ahead of the code that the configuration already reads', () => {
    const known = KEYS_AHEAD_OF_THE_CODE.filter((key) => isSignUpConfigurationKey(key));
    expect(known, 'the configuration reads these now: remove them from KEYS_AHEAD_OF_THE_CODE').to.deep.equal([]);
  });
});
