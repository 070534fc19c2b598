import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  Configuration,
  isSignUpConfigurationKey,
  readSignUpSettings,
  SIGNUP_CONFIGURATION_KEYS,
} from '../../../src/config/index.js';
import { implementationRegistry } from '../../../src/di/index.js';

/** A configuration that remembers every key it was asked for. */
class RecordingConfiguration extends Configuration {
  readonly asked = new Set<string>();

  override get(key: string): string | undefined {
    this.asked.add(key);
    return super.get(key);
  }
}

function keysReadFrom(values: Record<string, string>): string[] {
  const configuration = new RecordingConfiguration(Object.entries(values));
  readSignUpSettings(configuration);
  return [...configuration.asked];
}

describe('SIGNUP_CONFIGURATION_KEYS', () => {
  it('lists every key readSignUpSettings reads, with nothing set and with a queue and a database set', () => {
    const read = new Set([
      ...keysReadFrom({}),
      ...keysReadFrom({
        'MessageQueue:Url': 'nats://a:4222,nats://b:4222',
        'MessageQueue:Mode': 'core',
        'ConnectionStrings:SignUpDb': 'postgres://db/signup',
        'Metrics:Server:Enabled': 'true',
        'Web:Port': '8080',
      }),
    ]);
    expect(read.size).to.be.greaterThan(0);
    expect([...read].filter((key) => !isSignUpConfigurationKey(key))).to.deep.equal([]);
  });

  it('lists the key of every port whose implementation the configuration chooses', () => {
    const keys = Object.values(implementationRegistry).map((registration) => registration.configKey);
    expect(keys.filter((key) => !isSignUpConfigurationKey(key))).to.deep.equal([]);
  });

  it('holds no key twice in any casing', () => {
    const lower = SIGNUP_CONFIGURATION_KEYS.map((key) => key.toLowerCase());
    expect(new Set(lower).size).to.equal(lower.length);
  });
});

describe('isSignUpConfigurationKey', () => {
  it('accepts a listed key in any casing', () => {
    expect(isSignUpConfigurationKey('messagequeue:url')).to.equal(true);
    expect(isSignUpConfigurationKey('CONNECTIONSTRINGS:SIGNUPDB')).to.equal(true);
  });

  it('accepts the environment spelling with __ for :', () => {
    expect(isSignUpConfigurationKey('MessageQueue__Url')).to.equal(true);
    expect(isSignUpConfigurationKey('Metrics__Server__Enabled')).to.equal(true);
  });

  it('rejects a misspelt or unknown key', () => {
    expect(isSignUpConfigurationKey('MessageQueue:Urls')).to.equal(false);
    expect(isSignUpConfigurationKey('MessageQueue_Url')).to.equal(false);
    expect(isSignUpConfigurationKey('Dependencies:IProspectSaver')).to.equal(false);
    expect(isSignUpConfigurationKey('')).to.equal(false);
  });
});
