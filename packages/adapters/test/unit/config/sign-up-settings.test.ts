import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { Configuration, readSignUpSettings, type SignUpSettings } from '../../../src/config/index.js';

function settingsFrom(values: Record<string, string>): SignUpSettings {
  return readSignUpSettings(Configuration.from(values));
}

function errorFrom(values: Record<string, string>): ConfigurationError {
  try {
    settingsFrom(values);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error(`expected a ConfigurationError for ${JSON.stringify(values)}`);
}

describe('readSignUpSettings', () => {
  describe('defaults', () => {
    it('applies every default when nothing is configured', () => {
      expect(settingsFrom({})).to.deep.equal({
        dependencies: { IProspectSaveHandler: undefined, IReferenceDataLoader: undefined, IProspectRepository: undefined, IProspectIndex: undefined },
        referenceDataApi: { url: undefined },
        messageQueue: { mode: 'jetstream', token: undefined, credsFile: undefined, replicas: 1, encoding: 'utf-8' },
        database: { connectionString: 'sqlite:./data/signup.db', migrate: true },
        analyticsDatabase: { connectionString: 'sqlite:./data/signup.db', separate: false },
        elasticsearch: { url: undefined, index: 'prospects', username: undefined, password: undefined, apiKey: undefined },
        web: { port: 8020 },
        metricsServer: { enabled: false, port: 9464, consumerLagIntervalMs: 15_000 },
        logging: { level: 'info', format: 'text' },
        analyticsLogin: { username: 'admin' },
        handlers: {},
        outbox: {},
      });
    });

    it('treats blank values as unset', () => {
      const settings = settingsFrom({
        'MessageQueue:Url': ' ',
        'ConnectionStrings:SignUpDb': '',
        'Web:Port': '',
        'Database:Migrate': '',
        'Dependencies:IProspectSaveHandler': '  ',
        'Analytics:Username': ' ',
        'Analytics:Password': '   ',
      });

      expect(settings.messageQueue.url).to.equal(undefined);
      expect(settings.database).to.deep.equal({ connectionString: 'sqlite:./data/signup.db', migrate: true });
      expect(settings.web.port).to.equal(8020);
      expect(settings.dependencies.IProspectSaveHandler).to.equal(undefined);
      expect(settings.analyticsLogin).to.deep.equal({ username: 'admin' });
    });
  });

  describe('values', () => {
    it('reads every key, whatever the casing of its name', () => {
      const settings = settingsFrom({
        'dependencies:iprospectsavehandler': 'SignUp.Web.ProspectSave.SynchronousProspectSaveHandler',
        'Dependencies:IReferenceDataLoader': 'ApiReferenceDataLoader',
        'REFERENCEDATAAPI:URL': 'http://reference-data-api/api',
        'MessageQueue:Url': 'nats://mq:4222',
        'MessageQueue:Token': 's3cret',
        'MessageQueue:CredsFile': '/run/secrets/nats.creds',
        'MessageQueue:Mode': 'Core',
        'MessageQueue:Replicas': '3',
        'MessageQueue:Encoding': 'UTF-16LE',
        'ConnectionStrings:SignUpDb': 'Server=db;Database=SignUp;User Id=sa;Password=x',
        'Database:Migrate': 'NO',
        'Web:Port': '80',
        'Metrics:Server:Enabled': 'Yes',
        'Metrics:Server:Port': '50505',
        'Logging:LogLevel': 'Warning',
        'Logging:Format': 'Json',
        'connectionstrings:analyticsdb': 'mysql://analytics@db/analytics',
        'ELASTICSEARCH:URL': 'http://es:9200',
        'elasticsearch:index': 'signups',
        'Elasticsearch:ApiKey': 'a2V5',
        'dependencies:iprospectindex': 'ElasticsearchProspectIndex',
        'analytics:username': 'business',
        'Analytics:Password': 'correct horse',
        'handlers:inprocess': ' save ',
        'OUTBOX:ENABLED': 'False',
      });

      expect(settings).to.deep.equal({
        dependencies: {
          IProspectSaveHandler: 'SignUp.Web.ProspectSave.SynchronousProspectSaveHandler',
          IReferenceDataLoader: 'ApiReferenceDataLoader',
          IProspectRepository: undefined,
          IProspectIndex: 'ElasticsearchProspectIndex',
        },
        referenceDataApi: { url: 'http://reference-data-api/api' },
        messageQueue: {
          url: 'nats://mq:4222',
          servers: ['nats://mq:4222'],
          token: 's3cret',
          credsFile: '/run/secrets/nats.creds',
          mode: 'core',
          replicas: 3,
          encoding: 'utf-16le',
        },
        database: { connectionString: 'Server=db;Database=SignUp;User Id=sa;Password=x', migrate: false },
        analyticsDatabase: { connectionString: 'mysql://analytics@db/analytics', separate: true },
        elasticsearch: { url: 'http://es:9200', index: 'signups', username: undefined, password: undefined, apiKey: 'a2V5' },
        web: { port: 80 },
        metricsServer: { enabled: true, port: 50505, consumerLagIntervalMs: 15_000 },
        logging: { level: 'warn', format: 'json' },
        analyticsLogin: { username: 'business', password: 'correct horse' },
        handlers: { inProcess: ['save'] },
        outbox: { enabled: false },
      });
    });

    it('stops at start with one line naming Analytics:Password when it is shorter than 12 characters, never showing it', () => {
      for (const short of ['s3cret', 'elevenchars', '😀'.repeat(11)]) {
        const error = errorFrom({ 'Analytics:Password': short });

        expect(error.key).to.equal('Analytics:Password');
        expect(error.message).to.equal(`Analytics:Password is too short (${[...short].length} characters); use at least 12 characters, a passphrase of a few words for example`);
        expect(error.message).to.not.contain(short);
      }
      expect(settingsFrom({ 'Analytics:Password': 'twelve chars' }).analyticsLogin.password).to.equal('twelve chars');
    });

    it('reads Outbox:Enabled as a boolean and refuses anything else, naming the key', () => {
      expect(settingsFrom({ 'Outbox:Enabled': 'true' }).outbox).to.deep.equal({ enabled: true });
      expect(settingsFrom({ 'outbox:enabled': 'no' }).outbox).to.deep.equal({ enabled: false });
      expect(errorFrom({ 'Outbox:Enabled': 'sometimes' }).message)
        .to.equal('Outbox:Enabled = "sometimes" is not a boolean; use true or false (or 1/0, yes/no)');
    });

    it('keeps spaces at either end of the analytics password', () => {
      expect(settingsFrom({ 'Analytics:Password': ' pass phrase ' }).analyticsLogin.password).to.equal(' pass phrase ');
    });

    it('splits a cluster URL into servers, keeping credentials and accepting tls://', () => {
      const settings = settingsFrom({ 'MessageQueue:Url': 'nats://u:p@mq1:4222, tls://mq2:4443,nats://mq3' });

      expect(settings.messageQueue.servers).to.deep.equal(['nats://u:p@mq1:4222', 'tls://mq2:4443', 'nats://mq3']);
      expect(settings.messageQueue.url).to.equal('nats://u:p@mq1:4222, tls://mq2:4443,nats://mq3');
    });

    it('reads the streams\' retention: MessageQueue:MaxAge in days, hours or minutes, MessageQueue:MaxBytes in B to TB', () => {
      expect(settingsFrom({ 'MessageQueue:MaxAge': '30d', 'MessageQueue:MaxBytes': '10GB' }).messageQueue)
        .to.include({ maxAgeMs: 30 * 86_400_000, maxBytes: 10 * 1024 ** 3 });
      expect(settingsFrom({ 'MessageQueue:MaxAge': '12h', 'MessageQueue:MaxBytes': '500mb' }).messageQueue)
        .to.include({ maxAgeMs: 12 * 3_600_000, maxBytes: 500 * 1024 ** 2 });
      expect(settingsFrom({ 'MessageQueue:MaxAge': '90M', 'MessageQueue:MaxBytes': '1 TB' }).messageQueue)
        .to.include({ maxAgeMs: 90 * 60_000, maxBytes: 1024 ** 4 });
      const unlimited = settingsFrom({}).messageQueue;
      expect(unlimited).to.not.have.property('maxAgeMs');
      expect(unlimited).to.not.have.property('maxBytes');
    });

    for (const [key, bad, accepted] of [
      ['MessageQueue:MaxAge', '30', 'use a whole number of days, hours or minutes such as 30d, 12h or 90m (at most 100 years), or leave it unset for no limit'],
      ['MessageQueue:MaxAge', '0d', 'such as 30d, 12h or 90m'], ['MessageQueue:MaxAge', '1.5d', 'such as 30d'], ['MessageQueue:MaxAge', '1w', 'such as 30d'],
      ['MessageQueue:MaxAge', '40000d', 'at most 100 years'],
      ['MessageQueue:MaxBytes', '10', 'use a whole number of B, KB, MB, GB or TB such as 10GB or 500MB, or leave it unset for no limit'],
      ['MessageQueue:MaxBytes', '0GB', 'such as 10GB'], ['MessageQueue:MaxBytes', '-1GB', 'such as 10GB'], ['MessageQueue:MaxBytes', 'lots', 'such as 10GB'],
    ] as const) {
      it(`stops at start with one line naming ${key}, the value ${bad} and the accepted forms`, () => {
        const error = errorFrom({ [key]: bad });

        expect(error.key).to.equal(key);
        expect(error.message).to.match(new RegExp(`^${key} = "${bad.replace('.', '\\.')}" is not a (duration|size); `)).and.contain(accepted);
        expect(error.message).not.to.match(/[\r\n]/);
      });
    }

    it('reads the consumer lag sampling interval in seconds, fractions allowed', () => {
      expect(settingsFrom({ 'Metrics:ConsumerLag:IntervalSeconds': '0.25' }).metricsServer.consumerLagIntervalMs).to.equal(250);
      expect(settingsFrom({ 'Metrics:ConsumerLag:IntervalSeconds': '30' }).metricsServer.consumerLagIntervalMs).to.equal(30_000);
    });

    for (const bad of ['0', '-1', 'soon', '3601']) {
      it(`stops at start naming the key when the consumer lag interval is ${bad}`, () => {
        expect(() => settingsFrom({ 'Metrics:ConsumerLag:IntervalSeconds': bad }))
          .to.throw(ConfigurationError, /^Metrics:ConsumerLag:IntervalSeconds = ".*" is not a number of seconds; use a number from 0.1 to 3600$/);
      });
    }

    for (const [text, expected] of [['true', true], ['TRUE', true], ['1', true], ['yes', true], ['Yes', true],
      ['false', false], ['False', false], ['0', false], ['no', false], ['NO', false]] as const) {
      it(`reads the boolean ${text} as ${expected}`, () => {
        expect(settingsFrom({ 'Metrics:Server:Enabled': text }).metricsServer.enabled).to.equal(expected);
        expect(settingsFrom({ 'Database:Migrate': text }).database.migrate).to.equal(expected);
      });
    }

    it('falls back to PORT for the web port', () => {
      expect(settingsFrom({ PORT: '3000' }).web.port).to.equal(3000);
    });

    it('prefers Web:Port over PORT', () => {
      expect(settingsFrom({ PORT: '3000', 'Web:Port': '4000' }).web.port).to.equal(4000);
    });

    for (const [key, value, level] of [
      ['Logging:LogLevel', 'debug', 'debug'],
      ['Logging:LogLevel', 'Trace', 'debug'],
      ['Logging:LogLevel', 'Information', 'info'],
      ['Logging:LogLevel', 'WARN', 'warn'],
      ['Logging:LogLevel', 'Critical', 'error'],
      ['Logging:LogLevel:Default', 'Warning', 'warn'],
      ['LOG_LEVEL', 'error', 'error'],
    ] as const) {
      it(`reads ${key} = ${value} as the ${level} level`, () => {
        expect(settingsFrom({ [key]: value }).logging.level).to.equal(level);
      });
    }

    it('prefers Logging:LogLevel over LOG_LEVEL', () => {
      expect(settingsFrom({ LOG_LEVEL: 'error', 'Logging:LogLevel': 'debug' }).logging.level).to.equal('debug');
    });

    it('reads Logging:Format json in any case, text by default', () => {
      expect(settingsFrom({ 'Logging:Format': 'JSON' }).logging.format).to.equal('json');
      expect(settingsFrom({ 'Logging:Format': 'text' }).logging.format).to.equal('text');
      expect(settingsFrom({}).logging.format).to.equal('text');
    });

    it('passes the connection string on without parsing it', () => {
      expect(settingsFrom({ 'ConnectionStrings:SignUpDb': 'not parsed here' }).database.connectionString)
        .to.equal('not parsed here');
    });
  });

  describe('errors', () => {
    const cases: { values: Record<string, string>; key: string; shown: string; accepted: string }[] = [
      { values: { 'Web:Port': 'abc' }, key: 'Web:Port', shown: '"abc"', accepted: 'use 1-65535' },
      { values: { 'Web:Port': '0' }, key: 'Web:Port', shown: '"0"', accepted: 'use 1-65535' },
      { values: { 'Web:Port': '65536' }, key: 'Web:Port', shown: '"65536"', accepted: 'use 1-65535' },
      { values: { 'Web:Port': '80.5' }, key: 'Web:Port', shown: '"80.5"', accepted: 'use 1-65535' },
      { values: { PORT: '-1' }, key: 'PORT', shown: '"-1"', accepted: 'use 1-65535' },
      { values: { 'Metrics:Server:Port': 'x' }, key: 'Metrics:Server:Port', shown: '"x"', accepted: 'use 1-65535' },
      { values: { 'Metrics:Server:Enabled': 'maybe' }, key: 'Metrics:Server:Enabled', shown: '"maybe"', accepted: 'use true or false' },
      { values: { 'Database:Migrate': 'on' }, key: 'Database:Migrate', shown: '"on"', accepted: 'use true or false' },
      { values: { 'MessageQueue:Mode': 'x' }, key: 'MessageQueue:Mode', shown: '"x"', accepted: 'use jetstream or core' },
      { values: { 'MessageQueue:Url': 'http://x' }, key: 'MessageQueue:Url', shown: '"http://x"', accepted: 'use nats://host:4222 (comma-separated for a cluster)' },
      { values: { 'MessageQueue:Url': 'mq:4222' }, key: 'MessageQueue:Url', shown: '"mq:4222"', accepted: 'use nats://host:4222' },
      { values: { 'MessageQueue:Url': 'nats://mq:4222,' + 'ftp://other' }, key: 'MessageQueue:Url', shown: '"nats://mq:4222,ftp://other"', accepted: 'use nats://host:4222' },
      { values: { 'MessageQueue:Url': 'nats://mq:99999' }, key: 'MessageQueue:Url', shown: '"nats://mq:99999"', accepted: 'use nats://host:4222' },
      { values: { 'MessageQueue:Replicas': '0' }, key: 'MessageQueue:Replicas', shown: '"0"', accepted: 'use 1-5 (3 on a three-node cluster)' },
      { values: { 'MessageQueue:Replicas': '6' }, key: 'MessageQueue:Replicas', shown: '"6"', accepted: 'use 1-5' },
      { values: { 'MessageQueue:Replicas': 'three' }, key: 'MessageQueue:Replicas', shown: '"three"', accepted: 'use 1-5' },
      { values: { 'MessageQueue:Encoding': 'utf-16' }, key: 'MessageQueue:Encoding', shown: '"utf-16"', accepted: 'use utf-8, or utf-16le for the original .NET handlers' },
      { values: { 'MessageQueue:Encoding': 'latin1' }, key: 'MessageQueue:Encoding', shown: '"latin1"', accepted: 'use utf-8, or utf-16le' },
      { values: { 'ReferenceDataApi:Url': 'reference-data-api' }, key: 'ReferenceDataApi:Url', shown: '"reference-data-api"', accepted: 'use http://host:port/api' },
      { values: { 'Logging:LogLevel': 'loud' }, key: 'Logging:LogLevel', shown: '"loud"', accepted: 'use debug, info, warn or error' },
      { values: { LOG_LEVEL: 'loud' }, key: 'LOG_LEVEL', shown: '"loud"', accepted: 'use debug, info, warn or error' },
      { values: { 'Logging:Format': 'logfmt' }, key: 'Logging:Format', shown: '"logfmt"', accepted: 'use text or json' },
      { values: { 'Analytics:Username': 'ad:min' }, key: 'Analytics:Username', shown: '"ad:min"', accepted: 'use a user name without ":"' },
      { values: { 'Analytics:Username': 'ad\tmin' }, key: 'Analytics:Username', shown: '"ad\\tmin"', accepted: 'use a user name without ":"' },
    ];

    for (const { values, key, shown, accepted } of cases) {
      it(`names ${key}, the value ${shown} and what is accepted, on one line`, () => {
        const error = errorFrom(values);

        expect(error.key).to.equal(key);
        expect(error.code).to.equal('CONFIGURATION_INVALID');
        expect(error.message).to.match(new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} = `));
        expect(error.message).to.contain(shown).and.to.contain(accepted);
        expect(error.message).not.to.match(/[\r\n]/);
      });
    }

    it('gives the exact message for a bad web port', () => {
      expect(errorFrom({ 'Web:Port': 'abc' }).message).to.equal('Web:Port = "abc" is not a port number; use 1-65535');
    });

    it('gives the exact message for a bad replica count', () => {
      expect(errorFrom({ 'MessageQueue:Replicas': '7' }).message)
        .to.equal('MessageQueue:Replicas = "7" is not a replica count; use 1-5 (3 on a three-node cluster)');
    });

    it('gives the exact message for a bad message encoding', () => {
      expect(errorFrom({ 'MessageQueue:Encoding': 'utf-16be' }).message)
        .to.equal('MessageQueue:Encoding = "utf-16be" is not a message encoding; use utf-8, or utf-16le for the original .NET handlers');
    });

    it('gives the exact message for a bad NATS URL', () => {
      expect(errorFrom({ 'MessageQueue:Url': 'http://x' }).message)
        .to.equal('MessageQueue:Url = "http://x" is not a NATS URL; use nats://host:4222 (comma-separated for a cluster)');
    });

    it('masks credentials when echoing a bad NATS URL', () => {
      const error = errorFrom({ 'MessageQueue:Url': 'nats://signup:hunter2@mq:4222,http://admin:pa55@other' });

      expect(error.message).not.to.contain('hunter2').and.not.to.contain('pa55').and.not.to.contain('signup:');
      expect(error.message).to.contain('nats://***:***@mq:4222').and.to.contain('http://***:***@other');
    });

    it('masks a token when echoing a bad reference-data URL', () => {
      const error = errorFrom({ 'ReferenceDataApi:Url': 'ftp://t0ken@api' });

      expect(error.message).to.contain('ftp://***@api').and.not.to.contain('t0ken');
    });

    it('keeps a value with a line break on one line', () => {
      const error = errorFrom({ 'MessageQueue:Mode': 'core\njetstream' });

      expect(error.message).not.to.match(/[\r\n]/);
      expect(error.message).to.contain('"core\\njetstream"');
    });
  });

  describe('Handlers:InProcess', () => {
    it('reads the command names in the order given, once each, and none as no handler', () => {
      expect(settingsFrom({ 'Handlers:InProcess': 'index, save,index' }).handlers).to.deep.equal({ inProcess: ['index', 'save'] });
      expect(settingsFrom({ 'Handlers:InProcess': 'None' }).handlers).to.deep.equal({ inProcess: [] });
      expect(settingsFrom({ 'Handlers:InProcess': ' ' }).handlers).to.deep.equal({});
    });

    it('stops with one line naming Handlers:InProcess for a value that is not a list of command names', () => {
      const error = errorFrom({ 'Handlers:InProcess': 'save,,index' });
      expect(error.key).to.equal('Handlers:InProcess');
      expect(error.message).to.equal('Handlers:InProcess = "save,,index" is not a list of handler commands; use command names separated by commas (save,index), or none');
    });
  });

  describe('analytics stores', () => {
    it('keeps the read model in the sign-up database unless ConnectionStrings:AnalyticsDb is set', () => {
      expect(settingsFrom({ 'ConnectionStrings:SignUpDb': 'postgres://db/signup' }).analyticsDatabase)
        .to.deep.equal({ connectionString: 'postgres://db/signup', separate: false });
      expect(settingsFrom({ 'ConnectionStrings:SignUpDb': 'postgres://db/signup', 'ConnectionStrings:AnalyticsDb': 'sqlite:./data/analytics.db' }).analyticsDatabase)
        .to.deep.equal({ connectionString: 'sqlite:./data/analytics.db', separate: true });
    });

    it('stops with one line naming ConnectionStrings:AnalyticsDb for a malformed value, its password masked', () => {
      const error = errorFrom({ 'ConnectionStrings:AnalyticsDb': 'oracle://scott:tiger@db/x' });
      expect(error.key).to.equal('ConnectionStrings:AnalyticsDb');
      expect(error.message).to.match(/^ConnectionStrings:AnalyticsDb = "oracle:\/\/scott:\*\*\*@db\/x" is not a valid connection string/);
      expect(error.message).to.not.include('tiger');
      expect(error.message).to.not.include('\n');
    });

    it('reads the Elasticsearch keys of the original', () => {
      expect(settingsFrom({
        'Elasticsearch:Url': 'https://es:9200', 'Elasticsearch:Index': 'signups-2026', 'Elasticsearch:Username': 'elastic',
        'Elasticsearch:Password': 'changeme', 'Elasticsearch:ApiKey': 'a2V5',
      }).elasticsearch).to.deep.equal({
        url: 'https://es:9200', index: 'signups-2026', username: 'elastic', password: 'changeme', apiKey: 'a2V5',
      });
    });

    it('stops with one line naming the key for a bad Elasticsearch URL or index name', () => {
      expect(errorFrom({ 'Elasticsearch:Url': 'es:9200' }).message)
        .to.equal('Elasticsearch:Url = "es:9200" is not an HTTP URL; use http://host:9200 or https://host:9200');
      const index = errorFrom({ 'Elasticsearch:Index': 'Prospects' });
      expect(index.key).to.equal('Elasticsearch:Index');
      expect(index.message).to.match(/^Elasticsearch:Index = "Prospects" is not an Elasticsearch index name; use lower case/);
      expect(errorFrom({ 'Elasticsearch:Index': '_hidden' }).key).to.equal('Elasticsearch:Index');
    });

    it('stops when Elasticsearch:Username comes without Elasticsearch:Password', () => {
      expect(errorFrom({ 'Elasticsearch:Url': 'http://es:9200', 'Elasticsearch:Username': 'elastic' }).key).to.equal('Elasticsearch:Password');
    });
  });
});
