import type { LogFields, LogLevel } from '@signup/domain';
import { maskSecrets } from './mask-secrets.js';

/** Every log level, least severe first. */
export const LOG_LEVELS: readonly LogLevel[] = Object.freeze(['debug', 'info', 'warn', 'error']);

/** True when a line of `level` passes a logger set to `threshold`. */
export function isLevelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

/** One log line before rendering. */
export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields?: LogFields | undefined;
  /** Omitted from the output when absent. */
  readonly time?: Date | undefined;
  /** The logger's name, shown as `[name]` in text and as `logger` in JSON. */
  readonly name?: string | undefined;
  /** The active span's ids (JSON only): `trace_id`, `span_id`, so a line can be found from its trace. */
  readonly traceId?: string | undefined;
  readonly spanId?: string | undefined;
}

/** How to render a log line. */
export interface LogLineFormat {
  readonly format: 'text' | 'json';
  /** Include error stacks (debug only: they reveal code paths). */
  readonly includeStack: boolean;
}

const MAX_DEPTH = 8;
// C0/C1 controls and the Unicode line separators would let logged text forge extra lines.
const LINE_BREAKING = /[\p{Cc}\u2028\u2029]/gu;
const NEEDS_QUOTES = /[\s"=\p{Cc}\u2028\u2029]/u;

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// Lines logged within the same millisecond share one rendering of the time.
let lastTimeMs = Number.NaN;
let lastTimeText = '';

function timeText(time: Date): string {
  const ms = time.getTime();
  if (ms !== lastTimeMs) {
    lastTimeMs = ms;
    lastTimeText = time.toISOString();
  }
  return lastTimeText;
}

function escapeLineBreaks(text: string): string {
  return text.replace(LINE_BREAKING, (char) =>
    SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function errorCode(error: Error): string | undefined {
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

function summariseError(error: Error, depth = 0): string {
  const code = errorCode(error);
  let text = `${error.name}: ${maskSecrets(error.message)}${code === undefined ? '' : ` (${code})`}`;
  if (error.cause instanceof Error && depth < MAX_DEPTH) text += ` <- ${summariseError(error.cause, depth + 1)}`;
  else if (error.cause !== undefined) {
    const cause = toLoggableValue(error.cause, false);
    text += ` <- ${typeof cause === 'string' ? cause : JSON.stringify(cause)}`;
  }
  return text;
}

function readProperty(source: object, key: string): unknown {
  try {
    return (source as Record<string, unknown>)[key];
  } catch {
    return '[unreadable]';
  }
}

/**
 * Turns any value into plain JSON-safe data with every string passed through
 * `maskSecrets`: errors become `{name, message, code, cause}` (plus `stack` when
 * asked), bytes become their length, cycles and very deep nesting are cut.
 */
export function toLoggableValue(value: unknown, includeStack: boolean, seen = new WeakSet<object>(), depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return maskSecrets(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'undefined':
      return undefined;
    case 'bigint':
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (ArrayBuffer.isView(object)) return `[${object.byteLength} bytes]`;
  if (seen.has(object)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  seen.add(object);
  try {
    if (object instanceof Error) {
      const code = errorCode(object);
      return {
        name: object.name,
        message: maskSecrets(object.message),
        ...(code === undefined ? {} : { code }),
        ...(object.cause === undefined ? {} : { cause: toLoggableValue(object.cause, includeStack, seen, depth + 1) }),
        ...(includeStack && object.stack !== undefined ? { stack: maskSecrets(object.stack) } : {}),
      };
    }
    if (Array.isArray(object)) return object.map((item: unknown) => toLoggableValue(item, includeStack, seen, depth + 1) ?? null);
    if (object instanceof Set) return [...object].map((item: unknown) => toLoggableValue(item, includeStack, seen, depth + 1) ?? null);
    if (object instanceof Map) {
      return [...object].map(([key, item]: [unknown, unknown]) =>
        [toLoggableValue(key, includeStack, seen, depth + 1) ?? null, toLoggableValue(item, includeStack, seen, depth + 1) ?? null]);
    }
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      const item = toLoggableValue(readProperty(object, key), includeStack, seen, depth + 1);
      if (item !== undefined) result[key] = item;
    }
    return result;
  } finally {
    seen.delete(object);
  }
}

function renderTextValue(value: unknown): string {
  if (typeof value === 'string') return value === '' || NEEDS_QUOTES.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

function renderTextField(key: string, value: unknown, includeStack: boolean): string | undefined {
  if (value instanceof Error) {
    const summary = `${key}=${renderTextValue(summariseError(value))}`;
    return includeStack && value.stack !== undefined ? `${summary} ${key}.stack=${JSON.stringify(maskSecrets(value.stack))}` : summary;
  }
  const loggable = toLoggableValue(value, includeStack);
  return loggable === undefined ? undefined : `${key}=${renderTextValue(loggable)}`;
}

/**
 * Renders a log line as one line of text
 * (`2026-11-23T10:00:00.000Z INFO  [name] message key=value`) or one JSON object
 * (`{"time","level","logger","message","trace_id","span_id","fields":{…}}`, each key only
 * when it has a value), with secrets masked in the message and in every string inside the
 * fields. Line breaks in the message are escaped so logged input cannot forge lines.
 */
export function formatLogLine(line: LogLine, { format, includeStack }: LogLineFormat): string {
  const message = maskSecrets(line.message);
  const fields = line.fields ?? {};
  if (format === 'json') {
    const record: Record<string, unknown> = {};
    if (line.time !== undefined) record.time = timeText(line.time);
    record.level = line.level;
    if (line.name !== undefined) record.logger = line.name;
    record.message = message;
    if (line.traceId !== undefined) record.trace_id = line.traceId;
    if (line.spanId !== undefined) record.span_id = line.spanId;
    let loggableFields: Record<string, unknown> | undefined;
    for (const key of Object.keys(fields)) {
      const value = toLoggableValue(readProperty(fields, key), includeStack);
      if (value !== undefined) (loggableFields ??= {})[key] = value;
    }
    if (loggableFields !== undefined) record.fields = loggableFields;
    return JSON.stringify(record);
  }
  const parts: string[] = [];
  if (line.time !== undefined) parts.push(timeText(line.time));
  parts.push(line.level.toUpperCase().padEnd(5));
  if (line.name !== undefined && line.name !== '') parts.push(`[${escapeLineBreaks(line.name)}]`);
  parts.push(escapeLineBreaks(message));
  for (const key of Object.keys(fields)) {
    const rendered = renderTextField(escapeLineBreaks(key), readProperty(fields, key), includeStack);
    if (rendered !== undefined) parts.push(rendered);
  }
  return parts.join(' ');
}
