import type { SpanContext } from '@opentelemetry/api';
import { spawnSync } from 'node:child_process';
import { DatabaseUnavailableError, QueueUnavailableError } from '@signup/domain';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { ConsoleLogger, type ConsoleLoggerOptions } from '../../../src/logging/console-logger.js';
import { startInMemoryTracing } from '../tracing/in-memory-tracing.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');

function capture(options: ConsoleLoggerOptions = {}): { logger: ConsoleLogger; lines: string[] } {
  const lines: string[] = [];
  const logger = new ConsoleLogger({ now: () => NOW, write: (line) => lines.push(line), ...options });
  return { logger, lines };
}

describe('ConsoleLogger', () => {
  describe('text format', () => {
    it('writes time, padded level, name, message and fields on one line', () => {
      const { logger, lines } = capture({ name: 'save-handler' });
      logger.info('Prospect saved', { prospectId: 7, created: true });
      expect(lines).to.deep.equal(['2026-11-23T10:00:00.000Z INFO  [save-handler] Prospect saved prospectId=7 created=true']);
    });

    it('leaves the name out when there is none', () => {
      const { logger, lines } = capture();
      logger.error('Failed');
      expect(lines).to.deep.equal(['2026-11-23T10:00:00.000Z ERROR Failed']);
    });

    it('quotes field values that hold spaces, quotes or equals signs', () => {
      const { logger, lines } = capture();
      logger.info('m', { plain: 'abc', spaced: 'a b', quoted: 'say "hi"', equals: 'a=b', empty: '' });
      expect(lines[0]).to.equal('2026-11-23T10:00:00.000Z INFO  m plain=abc spaced="a b" quoted="say \\"hi\\"" equals="a=b" empty=""');
    });

    it('renders objects and arrays as JSON and leaves undefined fields out', () => {
      const { logger, lines } = capture();
      logger.info('m', { country: { countryCode: 'GBR' }, ids: [1, 2], missing: undefined });
      expect(lines[0]).to.equal('2026-11-23T10:00:00.000Z INFO  m country={"countryCode":"GBR"} ids=[1,2]');
    });

    it('escapes line breaks in the message so logged input cannot forge a line', () => {
      const { logger, lines } = capture();
      logger.warn('first\nFAKE ERROR second\u2028third');
      expect(lines).to.have.length(1);
      expect(lines[0]).to.equal('2026-11-23T10:00:00.000Z WARN  first\\nFAKE ERROR second\\u2028third');
    });

    it('survives circular fields', () => {
      const { logger, lines } = capture();
      const loop: Record<string, unknown> = { a: 1 };
      loop.self = loop;
      logger.info('m', { loop });
      expect(lines[0]).to.equal('2026-11-23T10:00:00.000Z INFO  m loop={"a":1,"self":"[circular]"}');
    });

    it('prints bytes as their length, not their content', () => {
      const { logger, lines } = capture();
      logger.info('m', { data: new Uint8Array([1, 2, 3]) });
      expect(lines[0]).to.equal('2026-11-23T10:00:00.000Z INFO  m data="[3 bytes]"');
    });
  });

  describe('masking', () => {
    it('masks email addresses and credentials in the message', () => {
      const { logger, lines } = capture();
      logger.info('Connecting to message queue url: nats://u:p@nats:4222 for jane@example.com');
      expect(lines[0]).to.equal('2026-11-23T10:00:00.000Z INFO  Connecting to message queue url: nats://***:***@nats:4222 for j***@example.com');
    });

    it('masks every string inside the fields, however deep', () => {
      const { logger, lines } = capture({ format: 'json' });
      logger.info('m', {
        email: 'jane@example.com',
        nested: { list: ['bob@example.com', { connection: 'Server=db;Password=x;' }] },
      });
      const { fields } = JSON.parse(lines[0]!) as { fields: Record<string, unknown> };
      expect(fields.email).to.equal('j***@example.com');
      expect(fields.nested).to.deep.equal({ list: ['b***@example.com', { connection: 'Server=db;Password=***;' }] });
      expect(lines[0]).not.to.include('jane@');
      expect(lines[0]).not.to.include('bob@');
    });

    it('masks the messages of errors and of their causes', () => {
      const { logger, lines } = capture();
      const cause = new Error('connect ECONNREFUSED for postgres://root:pw@db:5432');
      logger.error('Save failed', { error: new DatabaseUnavailableError('Cannot save jane@example.com', { cause }) });
      expect(lines[0]).to.include('j***@example.com');
      expect(lines[0]).to.include('postgres://***:***@db:5432');
      expect(lines[0]).not.to.include('pw@');
    });
  });

  describe('masking in both formats', () => {
    // Each hostile value, with the part of it no line may show.
    const HOSTILE: readonly (readonly [string, string])[] = [
      ['jane.doe@example.com', 'jane.doe@'],
      ["o'brien=x/y@example.com", "o'brien"],
      ['zoë.æ@bücher.de', 'zoë.æ@'],
      ['GRACE.HOPPER@NAVY.EXAMPLE.MIL', 'GRACE.HOPPER@'],
      ['nats://signup:p@ss-w0rd@mq:4222', 'p@ss-w0rd'],
      ['postgres://root:Pa55w0rd@db:5432/signup', 'Pa55w0rd'],
      ['Server=db;User Id=sa;Password="se;cret";', 'se;cret'],
      ['https://api/?token=t0k3n-value&page=1', 't0k3n-value'],
      ['nats://s3cr3t-token@mq:4222', 's3cr3t-token'],
      ['admin:hunter2@mq:4222', 'hunter2'],
    ];

    for (const format of ['text', 'json'] as const) {
      it(`shows no hostile value in ${format} lines: message, fields, nested fields, errors and causes`, () => {
        const { logger, lines } = capture({ format, level: 'debug' });
        for (const [value] of HOSTILE) {
          logger.info(`Received ${value}`, { value, nested: { list: [value, { deeper: value }] } });
          logger.error('Failed', { error: new QueueUnavailableError(`No reply for ${value}`, { cause: new Error(`caused by ${value}`) }) });
        }
        expect(lines).to.have.length(HOSTILE.length * 2);
        for (const line of lines) {
          for (const [, secret] of HOSTILE) expect(line, line).not.to.contain(secret);
          if (format === 'json') expect(() => JSON.parse(line) as unknown).not.to.throw();
        }
      });
    }
  });

  describe('errors in fields', () => {
    it('prints name, message and code, then the cause, without the stack', () => {
      const { logger, lines } = capture();
      const error = new QueueUnavailableError('No PubAck', { cause: new Error('timeout') });
      logger.error('Publish failed', { error });
      expect(lines[0]).to.equal(
        '2026-11-23T10:00:00.000Z ERROR Publish failed error="QueueUnavailableError: No PubAck (QUEUE_UNAVAILABLE) <- Error: timeout"',
      );
      expect(lines[0]).not.to.include('    at ');
    });

    it('adds the stack, on the same line, when the level is debug', () => {
      const { logger, lines } = capture({ level: 'debug' });
      logger.error('Publish failed', { error: new Error('boom') });
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/ error="Error: boom" error\.stack="Error: boom\\n {4}at /u);
    });

    it('renders an error as an object in JSON, the stack only at debug', () => {
      const info = capture({ format: 'json' });
      info.logger.error('m', { error: new QueueUnavailableError('down') });
      expect((JSON.parse(info.lines[0]!) as { fields: Record<string, unknown> }).fields.error)
        .to.deep.equal({ name: 'QueueUnavailableError', message: 'down', code: 'QUEUE_UNAVAILABLE' });

      const debug = capture({ format: 'json', level: 'debug' });
      debug.logger.error('m', { error: new Error('down') });
      expect((JSON.parse(debug.lines[0]!) as { fields: { error: { stack?: string } } }).fields.error.stack).to.be.a('string');
    });
  });

  describe('levels', () => {
    it('writes info and above by default', () => {
      const { logger, lines } = capture();
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      expect(lines.map((line) => line.split(' ')[1])).to.deep.equal(['INFO', 'WARN', 'ERROR']);
    });

    it('drops lines below the configured level', () => {
      const { logger, lines } = capture({ level: 'warn' });
      logger.info('i');
      logger.warn('w');
      expect(lines).to.have.length(1);
      expect(logger.isEnabled('info')).to.equal(false);
      expect(logger.isEnabled('error')).to.equal(true);
    });

    it('writes debug lines when the level is debug', () => {
      const { logger, lines } = capture({ level: 'debug' });
      logger.debug('d');
      expect(lines[0]).to.equal('2026-11-23T10:00:00.000Z DEBUG d');
    });

    it('refuses an unknown level or format', () => {
      expect(() => new ConsoleLogger({ level: 'verbose' as never })).to.throw(RangeError, /verbose/);
      expect(() => new ConsoleLogger({ format: 'xml' as never })).to.throw(RangeError, /xml/);
    });
  });

  describe('json format', () => {
    it('writes one JSON object per line: time, level, logger, message, then the fields', () => {
      const { logger, lines } = capture({ format: 'json', name: 'web' });
      logger.info('Started', { port: 8020 });
      expect(lines[0]).to.equal('{"time":"2026-11-23T10:00:00.000Z","level":"info","logger":"web","message":"Started","fields":{"port":8020}}');
    });

    it('leaves out the logger and the fields when there are none', () => {
      const { logger, lines } = capture({ format: 'json' });
      logger.warn('Stopping', { skipped: undefined });
      expect(JSON.parse(lines[0]!)).to.deep.equal({ time: '2026-11-23T10:00:00.000Z', level: 'warn', message: 'Stopping' });
    });

    it('keeps fields named like the core keys apart from them', () => {
      const { logger, lines } = capture({ format: 'json' });
      logger.info('real', { message: 'field', level: 'x', trace_id: 'forged' });
      const record = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(record).to.deep.include({ message: 'real', level: 'info', fields: { message: 'field', level: 'x', trace_id: 'forged' } });
      expect(record).not.to.have.property('trace_id');
    });

    it('adds the ids of the active span, and only in JSON', async () => {
      const tracing = startInMemoryTracing();
      const json = capture({ format: 'json' });
      const text = capture();
      let spanContext: SpanContext | undefined;
      try {
        tracing.tracer.startActiveSpan('process', (span) => {
          spanContext = span.spanContext();
          json.logger.info('Prospect saved');
          text.logger.info('Prospect saved');
          span.end();
        });
      } finally {
        await tracing.stop();
      }
      expect(JSON.parse(json.lines[0]!)).to.include({ trace_id: spanContext!.traceId, span_id: spanContext!.spanId });
      expect(text.lines[0]).to.equal('2026-11-23T10:00:00.000Z INFO  Prospect saved');
    });

    it('adds no ids when no span is active', () => {
      const { logger, lines } = capture({ format: 'json' });
      logger.info('m');
      expect(lines[0]).not.to.contain('trace_id');
    });
  });

  describe('child', () => {
    it('shares the settings and writer under another name', () => {
      const { logger, lines } = capture({ level: 'warn', name: 'parent' });
      const child = logger.child('nats');
      child.info('dropped');
      child.warn('kept');
      expect(lines).to.deep.equal(['2026-11-23T10:00:00.000Z WARN  [nats] kept']);
    });
  });

  describe('default writer', () => {
    let sandbox: sinon.SinonSandbox;
    beforeEach(() => {
      sandbox = sinon.createSandbox();
    });
    afterEach(() => {
      sandbox.restore();
    });

    it('writes every level to standard output, the lines of one event-loop turn in one write, in order', async () => {
      const write = sandbox.stub(process.stdout, 'write').returns(true);
      const logger = new ConsoleLogger({ now: () => NOW });
      logger.error('e');
      logger.warn('w');
      const before = write.callCount;
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('i');
      await new Promise((resolve) => setImmediate(resolve));
      sandbox.restore();
      expect(before).to.equal(0);
      expect(write.args.map((args) => args[0])).to.deep.equal([
        '2026-11-23T10:00:00.000Z ERROR e\n2026-11-23T10:00:00.000Z WARN  w\n',
        '2026-11-23T10:00:00.000Z INFO  i\n',
      ]);
    });

    it('still writes the lines of the last turn when the process exits right after logging', () => {
      const moduleUrl = new URL('../../../src/logging/console-logger.js', import.meta.url).href;
      const script = `const { ConsoleLogger } = await import(${JSON.stringify(moduleUrl)});
        const logger = new ConsoleLogger({ name: 'exit-test' });
        for (let i = 0; i < 3; i++) logger.info('line ' + i);
        logger.error('giving up');
        process.exit(3);`;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(result.status).to.equal(3);
      const lines = result.stdout.trim().split('\n').map((text) => text.replace(/^\S+ /, ''));
      expect(lines).to.deep.equal([
        'INFO  [exit-test] line 0', 'INFO  [exit-test] line 1', 'INFO  [exit-test] line 2', 'ERROR [exit-test] giving up',
      ]);
    });
  });
});
