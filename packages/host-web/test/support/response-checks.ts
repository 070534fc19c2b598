import { expect } from 'chai';
import type { Response } from 'supertest';

// Traces of the server's insides: stack frames, file paths, error class names and codes,
// parser and driver messages, SQL.
const INTERNAL_DETAIL: readonly RegExp[] = [
  /\bat (?:async )?[\w$.<>[\]]+ \(/,
  /\bat (?:file|node):/,
  /node_modules|\/work\/|\/home\/|\/tmp\//,
  /\.(?:ts|js|mjs):\d+/,
  /\b(?:TypeError|ReferenceError|SyntaxError|RangeError|URIError|ProspectInvalidError|SignUpError|HttpError|InternalServerError)\b/,
  /\b(?:PROSPECT_INVALID|DATABASE_UNAVAILABLE|QUEUE_UNAVAILABLE|UNKNOWN_REFERENCE_CODE|SQLITE_\w+|ECONNREFUSED)\b/,
  /Unexpected (?:token|end of JSON|non-whitespace)|in JSON at position/,
  /\b(?:insert into|select .+ from|knex|better-sqlite3)\b/i,
];

/** Fails when the text carries a stack trace or any internal message. */
export function expectNoInternalDetail(text: string, context = ''): void {
  for (const pattern of INTERNAL_DETAIL) {
    expect(pattern.test(text), `${context} leaks ${String(pattern)}: ${text.slice(0, 400)}`).to.equal(false);
  }
}

/** Fails unless the answer carries the CSP, nosniff, referrer and frame-denial headers. */
export function expectSecurityHeaders(res: Response): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  expect(csp, 'Content-Security-Policy').to.contain("default-src 'self'");
  expect(csp).to.contain("script-src 'none'");
  expect(csp).to.contain("frame-ancestors 'none'");
  expect(csp).to.contain("object-src 'none'");
  expect(csp).to.not.match(/unsafe-(?:inline|eval)/);
  expect(res.headers['x-content-type-options']).to.equal('nosniff');
  expect(res.headers['referrer-policy']).to.be.oneOf(['same-origin', 'no-referrer', 'strict-origin-when-cross-origin']);
  expect(res.headers['x-frame-options']).to.equal('DENY');
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/** Reverses `escapeHtml` (named and numeric character references). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (whole, decimal?: string, hex?: string, name?: string) => {
    if (decimal !== undefined) return String.fromCodePoint(Number(decimal));
    if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16));
    return ENTITIES[name ?? ''] ?? whole;
  });
}

/** The raw (still escaped) `value` attribute of the input named `name`, or undefined. */
export function rawInputValue(page: string, name: string): string | undefined {
  const tag = new RegExp(`<input [^>]*name="${name}"[^>]*>`).exec(page)?.[0];
  return tag === undefined ? undefined : /\bvalue="([^"]*)"/.exec(tag)?.[1];
}

/** The codes of the options marked `selected` in the select named `name`. */
export function selectedOptions(page: string, name: string): string[] {
  const select = new RegExp(`<select [^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(page)?.[1] ?? '';
  return [...select.matchAll(/<option value="([^"]*)" selected>/g)].map((match) => unescapeHtml(match[1] ?? ''));
}

/** The fields a re-rendered form marks in error (`id="<field>-error"`), sorted. */
export function fieldsInError(page: string): string[] {
  return [...page.matchAll(/ id="(\w+)-error"/g)].map((match) => match[1] ?? '').sort();
}

/** The page with every quoted attribute value emptied: what is left is markup the app wrote, unless escaping failed. */
export function withoutAttributeValues(page: string): string {
  return page.replace(/="[^"]*"/g, '=""');
}

// Every element the layout and the views use.
const APP_ELEMENTS = new Set(['html', 'head', 'meta', 'title', 'link', 'body', 'header', 'nav', 'div', 'a', 'span', 'ul', 'li',
  'main', 'section', 'h1', 'h2', 'p', 'form', 'input', 'label', 'select', 'option', 'button', 'footer']);

/**
 * Fails when a page holds markup the app did not write: an element outside the
 * views' own, an event-handler attribute, or a `javascript:` URL. Run it on
 * `withoutAttributeValues(page)` so escaped input inside values cannot hide a break-out.
 */
export function expectOnlyAppMarkup(markup: string, context = ''): void {
  const elements = [...markup.matchAll(/<\/?([a-zA-Z][\w-]*)/g)].map((match) => (match[1] ?? '').toLowerCase());
  const foreign = elements.filter((name) => !APP_ELEMENTS.has(name));
  expect(foreign, `${context} foreign elements`).to.deep.equal([]);
  expect(/<[^>]*\son\w+\s*=/i.test(markup), `${context} event-handler attribute`).to.equal(false);
  expect(/javascript:/i.test(markup), `${context} javascript: URL`).to.equal(false);
}
