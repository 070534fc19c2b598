import { Readable } from 'node:stream';
import type { AnalyticsProspect } from '@signup/domain';

/** The columns of the CSV download, in order, named as the fields of `GET /api/analytics/prospects`. */
export const CSV_COLUMNS: readonly (keyof AnalyticsProspect)[] = [
  'eventId', 'fullName', 'companyName', 'emailAddress', 'countryCode', 'countryName', 'roleCode', 'roleName', 'signUpDate',
];

/** Rows gathered into one write, so a large download is not thousands of tiny writes. */
const CHUNK_CHARACTERS = 16 * 1024;
// Spreadsheets open a UTF-8 file as UTF-8 only when it starts with a byte order mark.
const BYTE_ORDER_MARK = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * One CSV cell. A value a spreadsheet would run as a formula (starting with `=`, `+`,
 * `-`, `@`, tab or carriage return) gets a leading `'`, so it is shown as text; a value
 * with a comma, a quote, a line break or spaces at either end is quoted, quotes doubled
 * (RFC 4180).
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV record, CRLF-terminated. */
export function csvRecord(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

async function* csvChunks(first: IteratorResult<AnalyticsProspect>, rows: AsyncIterator<AnalyticsProspect>): AsyncGenerator<string> {
  let finished = false;
  try {
    let chunk = BYTE_ORDER_MARK + csvRecord(CSV_COLUMNS);
    for (let next = first; next.done !== true; next = await rows.next()) {
      const row = next.value;
      chunk += csvRecord(CSV_COLUMNS.map((column) => row[column]));
      if (chunk.length >= CHUNK_CHARACTERS) {
        yield chunk;
        chunk = '';
      }
    }
    finished = true;
    if (chunk !== '') yield chunk;
  } finally {
    // The client went away or the store failed: let the store release its cursor.
    if (!finished) await rows.return?.().catch(() => undefined);
  }
}

/**
 * The rows as a CSV byte stream with a header row: read from `rows` only as fast as the
 * client takes them (the stream pulls the next rows when the socket drains), so the
 * whole result is never held in memory. `first` is the first result of `rows.next()`,
 * read by the caller before answering, so a store that fails at once still gets a
 * proper error answer.
 */
export function csvStream(first: IteratorResult<AnalyticsProspect>, rows: AsyncIterator<AnalyticsProspect>): Readable {
  return Readable.from(csvChunks(first, rows), { objectMode: false, highWaterMark: CHUNK_CHARACTERS * 4 });
}
