import { SIGNUP_DEADLETTER_STREAM, type DeadLetter, type DeadLetterReplay } from '@signup/adapters/nats';
import { maskSecrets } from '@signup/adapters/logging';

// Control characters but tab and newline: an escape sequence in a poison message must not drive the operator's terminal.
const CONTROL = /(?![\t\n])\p{Cc}/gu;
const LINE_BREAKS = /[\t\n\u2028\u2029]/g;
const CORRELATION_ID = /"CorrelationId"\s*:\s*"([0-9a-fA-F-]{36})"/i;
const utf8 = new TextDecoder('utf-8');
const utf16le = new TextDecoder('utf-16le');

/**
 * Text shown on a terminal: control characters other than tab and newline written as
 * `\u001b`, so a message cannot move the cursor or change colours.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A dead letter's body as text: UTF-16LE when it looks like it (as the original .NET publisher wrote), else UTF-8. */
export function bodyText(data: Uint8Array): string {
  const utf16 = (data[0] === 0xff && data[1] === 0xfe) || (data.length >= 2 && data[0] !== 0 && data[1] === 0);
  return (utf16 ? utf16le : utf8).decode(data);
}

/** The correlation id the body names, when it is a readable event. */
export function correlationIdOf(letter: DeadLetter): string | undefined {
  return CORRELATION_ID.exec(bodyText(letter.data.subarray(0, 4096)))?.[1];
}

function size(letter: DeadLetter): string {
  return letter.truncatedFrom === undefined ? String(letter.data.length) : `${letter.truncatedFrom} (cut to ${letter.data.length})`;
}

function oneLine(text: string): string {
  return printable(maskSecrets(text).replace(LINE_BREAKS, ' '));
}

/**
 * `deadletters list` as a table: sequence, time stored, handler, size in bytes and
 * reason (emails and credentials masked), then a count line.
 */
export function formatDeadLetterTable(letters: readonly DeadLetter[]): string {
  const rows = letters.map((letter) => [
    String(letter.sequence), letter.storedAt.toISOString(), oneLine(letter.handler) || '-', size(letter), oneLine(letter.reason) || '-',
  ]);
  const lines: string[] = [];
  if (rows.length > 0) {
    const all = [['SEQ', 'STORED AT', 'HANDLER', 'BYTES', 'REASON'], ...rows];
    const widths = [0, 1, 2, 3].map((column) => Math.max(...all.map((row) => row[column]!.length)));
    for (const row of all) {
      lines.push(row.map((cell, column) => (column === 0 || column === 3 ? cell.padStart(widths[column]!) : column === 4 ? cell : cell.padEnd(widths[column]!)))
        .join('  '));
    }
  }
  lines.push(`${letters.length} dead letter(s)`);
  return `${lines.join('\n')}\n`;
}

/** `deadletters list --json`: one JSON document holding every listed dead letter, reasons masked as in the table. */
export function formatDeadLetterJson(letters: readonly DeadLetter[]): string {
  // JSON escapes C0 controls but not DEL or C1 ones (\u009b starts a terminal sequence);
  // `printable` writes those as \u escapes too, which a JSON reader decodes to the same text.
  return `${printable(JSON.stringify({
    stream: SIGNUP_DEADLETTER_STREAM,
    count: letters.length,
    deadLetters: letters.map((letter) => ({
      sequence: letter.sequence,
      storedAt: letter.storedAt.toISOString(),
      handler: letter.handler,
      reason: maskSecrets(letter.reason),
      size: letter.truncatedFrom ?? letter.data.length,
      storedSize: letter.data.length,
      truncated: letter.truncatedFrom !== undefined,
      subject: letter.subject,
      originalSubject: letter.originalSubject,
      originalSequence: letter.originalSequence ?? null,
      deliveryCount: letter.deliveryCount,
      correlationId: correlationIdOf(letter) ?? null,
    })),
  }))}\n`;
}

/**
 * A body with email addresses and credentials masked: a JSON body value by value,
 * printed indented; any other body as text.
 */
export function maskedBody(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return maskSecrets(text);
  }
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? maskSecrets(item) : item), 2);
}

/**
 * `deadletters show SEQ`: the dead letter's headers and body. The body is personal
 * data; unless `reveal` is set, email addresses and credentials in it (and in the
 * headers) are masked, as in the logs. With `reveal` the body is printed as stored.
 */
export function formatDeadLetter(letter: DeadLetter, reveal: boolean): string {
  const shown = (text: string): string => printable(reveal ? text : maskSecrets(text));
  const text = bodyText(letter.data);
  const lines = [
    `Dead letter #${letter.sequence} in ${SIGNUP_DEADLETTER_STREAM}`,
    `Stored at: ${letter.storedAt.toISOString()}`,
    `Subject: ${shown(letter.subject)}`,
    'Headers:',
    ...letter.headers.map(([key, value]) => `  ${shown(key)}: ${shown(value)}`),
    letter.truncatedFrom === undefined
      ? `Body (${letter.data.length} bytes${reveal ? '' : '; email addresses masked, --reveal shows them'}):`
      : `Body (first ${letter.data.length} of ${letter.truncatedFrom} bytes; the whole message is in SIGNUP_EVENTS at #${letter.originalSequence ?? '?'}${reveal ? '' : '; email addresses masked, --reveal shows them'}):`,
    printable(reveal ? text : maskedBody(text)),
  ];
  return `${lines.join('\n')}\n`;
}

/** One line saying what `replay` did with one dead letter. */
export function formatReplay(replay: DeadLetterReplay): string {
  const copy = replay.duplicate ? ` (already replayed as #${replay.sequence} within the duplicate window; not stored again)` : ` as #${replay.sequence}`;
  return `Replayed #${replay.deadLetterSequence} to ${printable(replay.subject)}${copy}; ${replay.removed ? 'deleted' : 'kept'} #${replay.deadLetterSequence}\n`;
}
