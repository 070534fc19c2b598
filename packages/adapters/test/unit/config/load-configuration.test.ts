import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { loadConfiguration } from '../../../src/config/index.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('loadConfiguration', () => {
  let cwd: string;
  let appSettingsPath: string;

  function write(relative: string, content: unknown): void {
    const file = path.join(cwd, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  }

  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'signup-config-'));
    appSettingsPath = path.join(cwd, 'host', 'appsettings.json');
  });

  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  describe('layering', () => {
    beforeEach(() => {
      write('host/appsettings.json', { Layer: { A: 'appsettings', B: 'appsettings', C: 'appsettings', D: 'appsettings' } });
      write('configs/config.json', { Layer: { B: 'config', C: 'config', D: 'config' } });
      write('secrets/secret.json', { Layer: { C: 'secret', D: 'secret' } });
    });

    it('lets config.json override appsettings.json, secret.json override both, and the environment override all', () => {
      const config = loadConfiguration({ cwd, appSettingsPath, env: { Layer__D: 'env' } });

      expect(config.get('Layer:A')).to.equal('appsettings');
      expect(config.get('Layer:B')).to.equal('config');
      expect(config.get('Layer:C')).to.equal('secret');
      expect(config.get('Layer:D')).to.equal('env');
    });

    it('resolves a relative appSettingsPath against cwd', () => {
      const config = loadConfiguration({ cwd, appSettingsPath: 'host/appsettings.json', env: {} });

      expect(config.get('Layer:A')).to.equal('appsettings');
    });

    it('overrides across layers whatever the casing of the key in each', () => {
      write('secrets/secret.json', { LAYER: { c: 'secret' } });

      const config = loadConfiguration({ cwd, appSettingsPath, env: { layer__b: 'env' } });

      expect(config.get('Layer:B')).to.equal('env');
      expect(config.get('layer:C')).to.equal('secret');
    });
  });

  describe('missing sources', () => {
    it('skips files that do not exist and reads only the environment', () => {
      const config = loadConfiguration({ cwd, appSettingsPath, env: { 'Web:Port': '9000' } });

      expect(config.get('Web:Port')).to.equal('9000');
      expect(config.keys()).to.deep.equal(['Web:Port']);
    });
  });

  describe('environment variables', () => {
    it('reads __ as the key separator', () => {
      const config = loadConfiguration({ cwd, env: { MessageQueue__Url: 'nats://mq:4222', Metrics__Server__Enabled: 'true' } });

      expect(config.get('MessageQueue:Url')).to.equal('nats://mq:4222');
      expect(config.get('Metrics:Server:Enabled')).to.equal('true');
    });

    it('reads names spelled with :', () => {
      const config = loadConfiguration({ cwd, env: { 'Dependencies:IProspectSaveHandler': 'SynchronousProspectSaveHandler' } });

      expect(config.get('Dependencies:IProspectSaveHandler')).to.equal('SynchronousProspectSaveHandler');
    });

    it('prefers the : spelling when the same key is also given with __, in either order', () => {
      const colonLast = loadConfiguration({ cwd, env: { Web__Port: '1111', 'Web:Port': '2222' } });
      const colonFirst = loadConfiguration({ cwd, env: { 'Web:Port': '2222', Web__Port: '1111' } });

      expect(colonLast.get('Web:Port')).to.equal('2222');
      expect(colonFirst.get('Web:Port')).to.equal('2222');
    });

    it('finds an upper-case variable under the mixed-case key', () => {
      const config = loadConfiguration({ cwd, env: { CONNECTIONSTRINGS__SIGNUPDB: 'sqlite::memory:' } });

      expect(config.get('ConnectionStrings:SignUpDb')).to.equal('sqlite::memory:');
    });

    it('ignores variables whose value is undefined', () => {
      write('configs/config.json', { Web: { Port: '8080' } });

      const config = loadConfiguration({ cwd, env: { Web__Port: undefined } });

      expect(config.get('Web:Port')).to.equal('8080');
    });
  });

  describe('JSON files', () => {
    it('flattens nested objects to A:B:C and arrays to A:0, with numbers and booleans as text', () => {
      write('configs/config.json', { Metrics: { Server: { Enabled: true, Port: 9465 } }, Hosts: ['a', { Name: 'b' }] });

      const config = loadConfiguration({ cwd, env: {} });

      expect(config.get('Metrics:Server:Enabled')).to.equal('true');
      expect(config.get('Metrics:Server:Port')).to.equal('9465');
      expect(config.get('Hosts:0')).to.equal('a');
      expect(config.get('Hosts:1:Name')).to.equal('b');
    });

    it('sets nothing for a null value', () => {
      write('configs/config.json', { MessageQueue: { Url: 'nats://mq:4222' } });
      write('secrets/secret.json', { MessageQueue: { Url: null } });

      const config = loadConfiguration({ cwd, env: {} });

      expect(config.get('MessageQueue:Url')).to.equal('nats://mq:4222');
    });

    it('accepts comments, trailing commas and a byte-order mark, as .NET does', () => {
      write('configs/config.json', '\uFEFF{\n  // the queue\n  "MessageQueue": { "Url": "nats://mq:4222", /* block */ },\n'
        + '  "Note": "a // not a comment, /* nor this */",\n  "List": [1, 2,],\n}\n');

      const config = loadConfiguration({ cwd, env: {} });

      expect(config.get('MessageQueue:Url')).to.equal('nats://mq:4222');
      expect(config.get('Note')).to.equal('a // not a comment, /* nor this */');
      expect(config.get('List:1')).to.equal('2');
    });

    it('keeps escaped quotes inside strings', () => {
      write('configs/config.json', '{ "Quote": "say \\"hi\\", // still text" }');

      expect(loadConfiguration({ cwd, env: {} }).get('Quote')).to.equal('say "hi", // still text');
    });

    it('rejects a malformed file with one line naming the file and never quoting its content', () => {
      write('secrets/secret.json', '{\n  "ConnectionStrings": { "SignUpDb": "Password=hunter2" \n  "Oops": 1 }\n}');

      const error = thrown(() => loadConfiguration({ cwd, env: {} }));

      expect(error).to.be.instanceOf(ConfigurationError);
      const message = (error as ConfigurationError).message;
      expect(message).to.contain(path.join(cwd, 'secrets', 'secret.json'));
      expect(message).to.contain('is not valid JSON');
      expect(message).not.to.contain('hunter2');
      expect(message).not.to.contain('\n');
    });

    it('rejects a file whose top level is not an object', () => {
      write('configs/config.json', '["Web:Port"]');

      const error = thrown(() => loadConfiguration({ cwd, env: {} }));

      expect(error).to.be.instanceOf(ConfigurationError);
      expect((error as ConfigurationError).message).to.contain(path.join(cwd, 'configs', 'config.json'))
        .and.to.contain('is not a JSON object');
    });

    it('rejects a path that is a folder, naming it', () => {
      mkdirSync(path.join(cwd, 'configs', 'config.json'), { recursive: true });

      const error = thrown(() => loadConfiguration({ cwd, env: {} }));

      expect(error).to.be.instanceOf(ConfigurationError);
      expect((error as ConfigurationError).message).to.contain('cannot be read').and.to.contain('config.json');
    });
  });
});
