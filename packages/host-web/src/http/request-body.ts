import type { Context } from 'koa';

/** Largest request body accepted, in bytes (16 KiB). */
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;

/** A parsed form: own keys only (no prototype), a repeated key gives an array of its values. */
export type FormFields = Readonly<Record<string, string | readonly string[]>>;

const ACCEPTED_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);
const NOT_UTF8_MESSAGE = 'The request body is not valid UTF-8.';
// Fatal: bytes that are not UTF-8 are refused, never turned into U+FFFD and stored.
// ignoreBOM: a form value keeps a leading U+FEFF, as the URL standard's urlencoded parser does.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// A whole body, decoded in one call (never streamed), so one decoder serves every request; it drops a leading BOM.
const STRICT_UTF8_BODY = new TextDecoder('utf-8', { fatal: true });
const PERCENT_ESCAPES = /(?:%[0-9a-fA-F]{2})+/g;

function requireContentType(ctx: Context, type: string): void {
  const header = ctx.get('Content-Type');
  const semicolon = header.indexOf(';');
  const actual = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (actual !== type) {
    ctx.throw(415, `Send the request body as ${type}.`);
  }
  // Without parameters there is no charset to check.
  if (semicolon < 0) return;
  const charset = ctx.request.charset;
  if (charset !== '' && !ACCEPTED_CHARSETS.has(charset.toLowerCase())) {
    ctx.throw(415, 'Send the request body encoded as UTF-8.');
  }
}

/**
 * Reads the whole request body as UTF-8 text, at most `limit` bytes. A declared
 * Content-Length over the limit is refused before reading; a body that grows past
 * it while streaming is refused as soon as it does.
 *
 * @throws an http error 413 when the body is too large, 400 when it is not valid UTF-8 or the client aborted.
 */
export async function readBodyText(ctx: Context, limit: number): Promise<string> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > limit) {
    ctx.throw(413, `The request body must be ${Math.floor(limit / 1024)} KiB or smaller.`);
  }
  const req = ctx.req;
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const fail = (status: number, message: string): void => {
      cleanup();
      // Pausing (not destroying) keeps the socket usable for the error answer; Node discards the rest.
      req.pause();
      reject(Object.assign(new Error(message), { status, expose: true }));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        fail(413, `The request body must be ${Math.floor(limit / 1024)} KiB or smaller.`);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      // Most bodies arrive in one chunk: no copy then.
      resolve(chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, size));
    };
    const onError = (): void => fail(400, 'The request body could not be read.');
    const onAborted = (): void => fail(400, 'The request was aborted.');
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
  try {
    return STRICT_UTF8_BODY.decode(bytes);
  } catch {
    return ctx.throw(400, NOT_UTF8_MESSAGE);
  }
}

/**
 * Decodes one name or value of an urlencoded body as the URL standard does (`+`
 * is a space, a malformed escape such as `%zz` stays as it is) except that
 * escaped bytes which are not UTF-8 (`Zo%EB`, Latin-1) throw instead of
 * becoming U+FFFD.
 */
function decodeFormComponent(text: string): string {
  return text.replaceAll('+', ' ')
    .replace(PERCENT_ESCAPES, (escapes) => STRICT_UTF8.decode(Buffer.from(escapes.replaceAll('%', ''), 'hex')));
}

/**
 * Reads an `application/x-www-form-urlencoded` body into a null-prototype object,
 * so keys such as `__proto__` are plain data.
 *
 * @throws an http error 415 for another content type, 413 when too large, 400 when the body or an escaped value is not UTF-8.
 */
export async function readForm(ctx: Context, limit: number): Promise<FormFields> {
  requireContentType(ctx, 'application/x-www-form-urlencoded');
  const text = await readBodyText(ctx, limit);
  const fields = Object.create(null) as Record<string, string | string[]>;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeFormComponent(equals < 0 ? pair : pair.slice(0, equals));
      value = equals < 0 ? '' : decodeFormComponent(pair.slice(equals + 1));
    } catch {
      return ctx.throw(400, NOT_UTF8_MESSAGE);
    }
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return fields;
}

/**
 * Reads an `application/json` body. `JSON.parse` makes `__proto__` an own data
 * property, never the prototype, so the result cannot pollute anything.
 *
 * @throws an http error 415 for another content type, 413 when too large, 400 (with `errors.body`) when not UTF-8 or not JSON.
 */
export async function readJson(ctx: Context, limit: number): Promise<unknown> {
  requireContentType(ctx, 'application/json');
  let text: string;
  try {
    text = await readBodyText(ctx, limit);
  } catch (error) {
    // The API's 400s name what is wrong in `errors`, as for a field: here the body itself.
    if ((error as { status?: unknown }).status === 400) Object.assign(error as object, { errors: { body: (error as Error).message } });
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const message = 'The request body is not valid JSON.';
    return ctx.throw(400, message, { errors: { body: message } });
  }
}

/** The first value of a form field, or undefined when absent. */
export function firstValue(fields: FormFields, key: string): string | undefined {
  if (!Object.hasOwn(fields, key)) return undefined;
  const value = fields[key];
  return typeof value === 'string' ? value : value?.[0];
}
