// Per-line cost of the log formats: today's text lines, the JSON lines (Logging:Format=json)
// and pino writing equivalent JSON lines with the same masking. Every logger writes the same
// lines, to the same sink, interleaved over several rounds; the best round of each counts.
// CPU time of this process per line (user + system, so the /dev/null writes count).
// Usage: node bench/scenarios/logging.js [--lines N] [--rounds N]
// Prints a table and the ratios against the text lines measured in the same run.
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { trace } from '@opentelemetry/api';
import { ConsoleLogger, maskSecrets, toLoggableValue } from '@signup/adapters/logging';
import pino from 'pino';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '5' } } });
const LINES = Number(values.lines);
const ROUNDS = Number(values.rounds);

// What a save handler logs per message (the received line carries the address, the saved line
// none), plus a line with fields holding an address, as the web logs a rejected sign-up.
const IDS = Array.from({ length: 1024 }, () => randomUUID());
function logLines(logger, count) {
  for (let index = 0; index < count; index += 1) {
    const id = IDS[index & 1023];
    switch (index % 3) {
      case 0: logger.info(`Received event ${id} for jane.doe${index & 63}@example.com`); break;
      case 1: logger.info(`Prospect saved. Prospect ID: ${index}; event ID: ${id}`); break;
      default: logger.info('Sign-up rejected', { correlationId: id, emailAddress: `bob${index & 63}@example.org`, fields: ['emailAddress'] });
    }
  }
}

/** pino configured to write the same JSON object as Logging:Format=json, masking included. */
function createPino(destination) {
  return pino({
    level: 'info',
    base: { logger: 'save-handler' },
    messageKey: 'message',
    nestedKey: 'fields',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const spanContext = trace.getActiveSpan()?.spanContext();
      return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId, span_id: spanContext.spanId } : {};
    },
    hooks: {
      // The message is masked as ConsoleLogger masks it; the fields go through the same walk.
      logMethod(args, method) {
        if (typeof args[0] === 'string') method.call(this, maskSecrets(args[0]));
        else method.call(this, toLoggableValue(args[0], false), maskSecrets(String(args[1] ?? '')));
      },
    },
  }, destination);
}

/** pino's adapter: ILogger's (message, fields) order turned into pino's (fields, message). */
function pinoAsILogger(logger) {
  return { info: (message, fields) => (fields === undefined ? logger.info(message) : logger.info(fields, message)) };
}

function sinks() {
  let bytes = 0;
  const devNull = openSync('/dev/null', 'w');
  return {
    memory: {
      line: (line) => {
        bytes += line.length + 1;
      },
      stream: { write: (text) => { bytes += text.length; } },
    },
    devNull: {
      line: (line) => writeSync(devNull, `${line}\n`),
      stream: pino.destination({ dest: '/dev/null', sync: true }),
    },
    bytes: () => bytes,
    close: () => closeSync(devNull),
  };
}

const targets = sinks();
const variants = [];
for (const sinkName of ['memory', 'devNull']) {
  const sink = targets[sinkName];
  variants.push(
    { name: `text, ${sinkName}`, logger: new ConsoleLogger({ name: 'save-handler', write: sink.line }) },
    { name: `json, ${sinkName}`, logger: new ConsoleLogger({ name: 'save-handler', format: 'json', write: sink.line }) },
    { name: `pino + masking, ${sinkName}`, logger: pinoAsILogger(createPino(sink.stream)) },
    { name: `pino, no masking, ${sinkName}`, logger: pinoAsILogger(pino({ base: { logger: 'save-handler' }, messageKey: 'message', nestedKey: 'fields', timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, sink.stream)) },
  );
}

const best = new Map();
for (const variant of variants) logLines(variant.logger, Math.min(LINES, 20_000)); // warm up
for (let round = 0; round < ROUNDS; round += 1) {
  for (const variant of variants) {
    // CPU time, not wall time: the machine may be shared, and a descheduled process is not slower code.
    const started = process.cpuUsage();
    logLines(variant.logger, LINES);
    const used = process.cpuUsage(started);
    const nsPerLine = ((used.user + used.system) * 1e3) / LINES;
    best.set(variant.name, Math.min(best.get(variant.name) ?? Infinity, nsPerLine));
  }
}
targets.close();

process.stdout.write(`Logging: ${LINES} lines per round, best of ${ROUNDS} rounds, Node ${process.version}\n`);
process.stdout.write('| logger | CPU ns per line | × text (same sink) |\n| --- | ---: | ---: |\n');
for (const variant of variants) {
  const sinkName = variant.name.split(', ').at(-1);
  const ns = best.get(variant.name);
  process.stdout.write(`| ${variant.name} | ${ns.toFixed(0)} | ${(ns / best.get(`text, ${sinkName}`)).toFixed(2)} |\n`);
}
