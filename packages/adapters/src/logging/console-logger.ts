import { trace } from '@opentelemetry/api';
import type { ILogger, LogFields, LogLevel } from '@signup/domain';
import { formatLogLine, isLevelEnabled, LOG_LEVELS } from './format-log-line.js';

/** Options of a `ConsoleLogger`. */
export interface ConsoleLoggerOptions {
  /** Shown as `[name]` in each line. */
  readonly name?: string;
  /** Lines below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** One line of text (default) or one JSON object per line. */
  readonly format?: 'text' | 'json';
  /**
   * Where each finished line goes (without a trailing newline). Default: standard output, the lines
   * of one event-loop turn in one write (at the end of the turn, or at exit).
   */
  readonly write?: (line: string) => void;
  /** The clock stamped on each line. Default: the system clock. */
  readonly now?: () => Date;
}

// Lines written in one turn of the event loop leave in one write: a handler logging two lines
// per message would otherwise make two system calls per message.
const FLUSH_AT_CHARS = 64 * 1024;
let pendingOutput: string[] = [];
let pendingChars = 0;
let flushScheduled = false;
let exitHookInstalled = false;

function flushStandardOutput(): void {
  flushScheduled = false;
  if (pendingOutput.length === 0) return;
  const text = `${pendingOutput.join('\n')}\n`;
  pendingOutput = [];
  pendingChars = 0;
  process.stdout.write(text);
}

function writeToStandardOutput(line: string): void {
  pendingOutput.push(line);
  pendingChars += line.length + 1;
  if (pendingChars >= FLUSH_AT_CHARS) {
    flushStandardOutput();
    return;
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Standard output to a file or a pipe is written synchronously on exit, so nothing logged is lost.
    process.once('exit', flushStandardOutput);
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushStandardOutput);
  }
}

/**
 * An `ILogger` that writes one line per entry, every level to standard output by
 * default. Email addresses and credentials are masked in the message and in every
 * string inside the fields (see `maskSecrets`). Errors in fields print as
 * `Name: message (CODE)`, followed by their cause; stacks only at level `debug`. In the
 * JSON format, a line logged while a span is active carries its `trace_id` and
 * `span_id` (with tracing off no span is active, and the lookup costs next to nothing).
 *
 * @throws RangeError from the constructor for an unknown level or format.
 */
export class ConsoleLogger implements ILogger {
  readonly name: string | undefined;
  readonly level: LogLevel;
  readonly format: 'text' | 'json';
  private readonly write: (line: string) => void;
  private readonly now: () => Date;

  constructor(options: ConsoleLoggerOptions = {}) {
    const level = options.level ?? 'info';
    const format = options.format ?? 'text';
    if (!LOG_LEVELS.includes(level)) throw new RangeError(`Unknown log level "${String(level)}"; use one of: ${LOG_LEVELS.join(', ')}`);
    if (format !== 'text' && format !== 'json') throw new RangeError(`Unknown log format "${String(format)}"; use text or json`);
    this.name = options.name;
    this.level = level;
    this.format = format;
    this.write = options.write ?? writeToStandardOutput;
    this.now = options.now ?? (() => new Date());
  }

  /** A logger with the same settings and another name. */
  child(name: string): ConsoleLogger {
    return new ConsoleLogger({ name, level: this.level, format: this.format, write: this.write, now: this.now });
  }

  /** True when lines of this level are written. */
  isEnabled(level: LogLevel): boolean {
    return isLevelEnabled(level, this.level);
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  private log(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (!this.isEnabled(level)) return;
    let traceId: string | undefined;
    let spanId: string | undefined;
    if (this.format === 'json') {
      const spanContext = trace.getActiveSpan()?.spanContext();
      if (spanContext !== undefined && trace.isSpanContextValid(spanContext)) ({ traceId, spanId } = spanContext);
    }
    this.write(formatLogLine(
      { level, message, fields, time: this.now(), name: this.name, traceId, spanId },
      { format: this.format, includeStack: this.level === 'debug' },
    ));
  }
}
