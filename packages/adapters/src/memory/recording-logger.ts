import type { ILogger, LogFields, LogLevel } from '@signup/domain';
import { formatLogLine } from '../logging/format-log-line.js';

/** One line a `RecordingLogger` kept, as it was logged (not masked). */
export interface RecordedLogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/**
 * An `ILogger` for tests: keeps every line in `lines`, unmasked, at every level.
 * `text()` renders them as `ConsoleLogger` would (masked, no timestamp) so tests
 * can check what would reach the console.
 */
export class RecordingLogger implements ILogger {
  readonly lines: RecordedLogLine[] = [];

  debug(message: string, fields?: LogFields): void {
    this.record('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.record('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.record('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.record('error', message, fields);
  }

  /** The messages logged, optionally only those of one level, in order. */
  messages(level?: LogLevel): string[] {
    return this.lines.filter((line) => level === undefined || line.level === level).map((line) => line.message);
  }

  /** The first line whose message contains the text or matches the pattern. */
  find(pattern: string | RegExp, level?: LogLevel): RecordedLogLine | undefined {
    return this.lines.find((line) => (level === undefined || line.level === level)
      && (typeof pattern === 'string' ? line.message.includes(pattern) : pattern.test(line.message)));
  }

  /** Every line rendered as `ConsoleLogger` text without timestamps, secrets masked, one per line. */
  text(): string {
    return this.lines.map((line) => formatLogLine(line, { format: 'text', includeStack: false })).join('\n');
  }

  /** Forgets every line. */
  clear(): void {
    this.lines.length = 0;
  }

  private record(level: LogLevel, message: string, fields: LogFields | undefined): void {
    this.lines.push({ level, message, fields: fields ?? {} });
  }
}
