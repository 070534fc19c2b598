import fc from 'fast-check';
import { DEFAULT_COUNTRIES, DEFAULT_ROLES, isCorrelationId, type Prospect, type ProspectField } from '@signup/domain';
import {
  emailText, hostileText, padding, personText, PROTOTYPE_KEYS, toWellFormed,
} from './hostile-strings.js';
import { predictValidation, PROSPECT_FIELDS } from './prospect-oracle.js';

/** The web app's default body limit (16 KiB). */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** A key and value in the order they are sent. */
export type Entry = readonly [key: string, value: unknown];

/** What the app must answer to one generated request. */
export type AnswerExpectation =
  /** 201/202 (API) or 303 (form): exactly this prospect saved once, under this correlation id when one was sent. */
  | { readonly kind: 'saved'; readonly prospect: Prospect; readonly correlationId: string | undefined }
  /** 400 naming exactly these keys: fields, `body` or `Idempotency-Key`. */
  | { readonly kind: 'invalid'; readonly errorKeys: readonly string[] }
  /** A refusal of the whole request before its fields are read. */
  | { readonly kind: 'refused'; readonly status: 400 | 413 | 415 };

/** One `POST /api/prospects` exactly as it goes over the wire. */
export interface ApiRequest {
  readonly contentType: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly body: Buffer;
}

/** One `POST /app/SignUp` exactly as it goes over the wire, with the entries it encodes. */
export interface FormRequest {
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly entries: readonly (readonly [string, string])[];
  /** How spaces and reserved characters were escaped. */
  readonly style: 'plus' | 'percent';
  /** What was done to the encoded body after encoding the entries. */
  readonly tweak: 'none' | 'stray-percent' | 'latin-1-value' | 'raw-invalid-byte';
  readonly body: Buffer;
}

/** Content types the JSON API accepts, then ones it must refuse with 415. */
export const JSON_CONTENT_TYPES = Object.freeze({
  accepted: ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'Application/JSON',
    'application/json; charset=utf8', 'application/json; charset=us-ascii', 'application/json; charset="utf-8"'],
  refused: [undefined, 'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=----x',
    'application/json; charset=iso-8859-1', 'application/json; charset=utf-16', 'application/jsonp', 'application/problem+json',
    'application/xml', '*/*', 'application/json, text/plain', 'text/html'],
});

/** Content types the form accepts, then ones it must refuse with 415. */
export const FORM_CONTENT_TYPES = Object.freeze({
  accepted: ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8',
    'Application/X-WWW-Form-URLEncoded'],
  refused: [undefined, 'multipart/form-data; boundary=----x', 'text/plain', 'application/json',
    'application/x-www-form-urlencoded; charset=iso-8859-1', 'application/x-www-form-urlencoded-x'],
});

const COUNTRY_CODES = DEFAULT_COUNTRIES.map((c) => c.countryCode);
const ROLE_CODES = DEFAULT_ROLES.map((r) => r.roleCode);

function codeText(codes: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 24, arbitrary: fc.constantFrom(...codes) },
    { weight: 1, arbitrary: fc.tuple(padding, fc.constantFrom(...codes), padding).map((parts) => parts.join('')) },
    { weight: 1, arbitrary: fc.constantFrom(...codes.map((code) => code.toLowerCase()), ...PROTOTYPE_KEYS, 'XXX', '--', "GBR' OR '1'='1") },
    { weight: 1, arbitrary: hostileText },
  );
}

const FIELD_TEXT: Readonly<Record<ProspectField, fc.Arbitrary<string>>> = {
  firstName: fc.oneof({ weight: 12, arbitrary: personText(100) }, { weight: 1, arbitrary: hostileText }),
  lastName: fc.oneof({ weight: 12, arbitrary: personText(100) }, { weight: 1, arbitrary: hostileText }),
  emailAddress: fc.oneof({ weight: 12, arbitrary: emailText }, { weight: 1, arbitrary: hostileText }),
  companyName: fc.oneof(
    { weight: 10, arbitrary: personText(200) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u00A0') },
    { weight: 1, arbitrary: hostileText },
  ),
  countryCode: codeText(COUNTRY_CODES),
  roleCode: codeText(ROLE_CODES),
};

/** JSON values of the wrong type for a text field. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.constant({}), fc.constant({ __proto__: null, toString: 'x' }),
  fc.constant(['Ada']), fc.constant({ first: 'Ada' }),
);

const extraKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, 'prospectId', 'country', 'role', 'correlationId', 'signedUpAt',
    'firstName[]', '__proto__[polluted]', 'constructor[prototype][polluted]', 'FirstName', 'EMAILADDRESS', '', ' firstName') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
).filter((key) => !(PROSPECT_FIELDS as readonly string[]).includes(key) && key !== 'submissionId');

const pollutingValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({ polluted: 'yes' }), fc.constant({ prototype: { polluted: 'yes' } }), fc.jsonValue({ maxDepth: 2 }), hostileText,
);

function required<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(value, { nil: undefined, freq: 25 });
}

function optional<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(value, { nil: undefined, freq: 3 });
}

/** The six fields (each maybe absent) plus extra keys, maybe a repeated field, in a shuffled order. */
function entries<V>(value: (field: ProspectField) => fc.Arbitrary<V>, extraValue: fc.Arbitrary<V>): fc.Arbitrary<Entry[]> {
  const fields = fc.tuple(
    required(value('firstName')), required(value('lastName')), required(value('emailAddress')),
    optional(value('companyName')), optional(value('countryCode')), optional(value('roleCode')),
  );
  const extras = fc.array(fc.tuple(extraKey, extraValue), { maxLength: 3 });
  const repeated = fc.oneof(
    { weight: 15, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(...PROSPECT_FIELDS).chain((field) => value(field).map((v) => [field, v] as const)) },
  );
  return fc.tuple(fields, extras, repeated).chain(([values, extra, again]) => {
    const list: Entry[] = [];
    values.forEach((v, index) => {
      if (v !== undefined) list.push([PROSPECT_FIELDS[index] as string, v]);
    });
    list.push(...extra);
    if (again !== null) list.push(again);
    return fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length });
  });
}

/** A JSON object body from entries; repeated keys are kept (JSON.parse keeps the last). */
export function jsonObjectText(list: readonly Entry[]): string {
  return `{${list.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
}

const jsonEntries = entries<unknown>(
  (field) => fc.oneof({ weight: 12, arbitrary: FIELD_TEXT[field] }, { weight: 1, arbitrary: wrongType }),
  pollutingValue,
);

const MALFORMED_JSON = ['', ' ', '{', '}', '{"firstName": }', "{'firstName':'Ada'}", '{"firstName":"Ada",}', 'NaN', 'undefined',
  '{"a":1}/* comment */', '{"firstName":"Ada" "lastName":"L"}', '{"firstName":"\u0001"}', '{"firstName":"a\nb"}',
  '\u0000', '[', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":01}', '{"__proto__":}', '<xml/>', 'firstName=Ada', '\uFEFF\uFEFF{}'];

const jsonBodyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: jsonEntries.map(jsonObjectText) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`) },
  { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_JSON) },
  { weight: 1, arbitrary: fc.tuple(jsonEntries.map(jsonObjectText), fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(text.length, 1))) },
  { weight: 1, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.tuple(jsonEntries, fc.integer({ min: BODY_LIMIT_BYTES, max: 40_000 }))
    .map(([list, size]) => jsonObjectText([...list, ['padding', 'x'.repeat(size)]])) },
);

const jsonBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 24, arbitrary: jsonBodyText.map((text) => Buffer.from(text, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.tuple(jsonEntries.map(jsonObjectText), fc.nat(), fc.constantFrom(0xff, 0xc3, 0xe2, 0xed, 0x80))
    .map(([text, at, byte]) => {
      const bytes = Buffer.from(text, 'utf8');
      const cut = at % (bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, cut), Buffer.from([byte]), bytes.subarray(cut)]);
    }) },
);

const idempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.uuid().map((uuid) => uuid.toUpperCase()) },
  { weight: 1, arbitrary: fc.oneof(
    fc.constantFrom('abc', '1', "' OR 1=1", '<script>', '00000000-0000-0000-0000-00000000000g', '{0b7ef1b0-3c0e-4a51-9f5e-2b1d2f4c7a10}'),
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 40 }).map((text) => text.replace(/[^\x21-\x7e]/g, 'x')),
  ).filter((key) => !isCorrelationId(key)) },
);

const weightedContentType = (types: { readonly accepted: readonly string[]; readonly refused: readonly (string | undefined)[] }): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 24, arbitrary: fc.constant(types.accepted[0]) },
    { weight: 2, arbitrary: fc.constantFrom(...types.accepted) },
    { weight: 1, arbitrary: fc.constantFrom(...types.refused) },
  );

/** Requests to the JSON API: mostly a JSON object, also other JSON, broken JSON, bytes, big bodies, odd headers. */
export const apiRequests: fc.Arbitrary<ApiRequest> = fc.record({
  contentType: weightedContentType(JSON_CONTENT_TYPES),
  idempotencyKey,
  body: jsonBody,
});

function contentTypeAccepted(contentType: string | undefined, accepted: readonly string[]): boolean {
  return contentType !== undefined && accepted.includes(contentType);
}

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
}

/** What `POST /api/prospects` must answer, worked out from the bytes and headers alone. */
export function predictApiAnswer(request: ApiRequest): AnswerExpectation {
  if (request.idempotencyKey !== undefined && !isCorrelationId(request.idempotencyKey)) {
    return { kind: 'invalid', errorKeys: ['Idempotency-Key'] };
  }
  if (!contentTypeAccepted(request.contentType, JSON_CONTENT_TYPES.accepted)) return { kind: 'refused', status: 415 };
  if (request.body.length > BODY_LIMIT_BYTES) return { kind: 'refused', status: 413 };
  const text = decodeUtf8(request.body);
  if (text === undefined) return { kind: 'invalid', errorKeys: ['body'] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'invalid', errorKeys: ['body'] };
  }
  const validation = predictValidation(parsed);
  return validation.valid
    ? { kind: 'saved', prospect: validation.prospect, correlationId: request.idempotencyKey?.toLowerCase() }
    : { kind: 'invalid', errorKeys: validation.fields };
}

const formEntries = entries<string>((field) => FIELD_TEXT[field].map(toWellFormed), hostileText.map(toWellFormed));

const submissionId: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.uuid().map((uuid) => uuid.toUpperCase()) },
  { weight: 1, arbitrary: fc.constantFrom('', 'abc', '"><script>alert(1)</script>', "' OR 1=1 --", '../../x') },
);

function encodeForm(list: readonly (readonly [string, string])[], style: 'plus' | 'percent'): string {
  if (style === 'plus') return new URLSearchParams(list.map(([key, value]): [string, string] => [key, value])).toString();
  return list.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
}

const TWEAKS: Readonly<Record<FormRequest['tweak'], (body: Buffer) => Buffer>> = {
  'none': (body) => body,
  // Malformed escapes are kept as literal text by the urlencoded parser; they land in a key nobody reads.
  'stray-percent': (body) => Buffer.concat([body, Buffer.from('&junk=%zz%2&flag&=&%=%', 'utf8')]),
  // "Zoë" encoded as ISO-8859-1, as a page served in another charset would post it.
  'latin-1-value': (body) => Buffer.concat([body, Buffer.from('&note=Zo%EB', 'utf8')]),
  'raw-invalid-byte': (body) => Buffer.concat([body, Buffer.from('&note=', 'utf8'), Buffer.from([0xff, 0xfe])]),
};

/** Encodes a form request: the entries (plus-style or percent-style), then the tweak. */
export function buildFormRequest(parts: Omit<FormRequest, 'body'>): FormRequest {
  return { ...parts, body: TWEAKS[parts.tweak](Buffer.from(encodeForm(parts.entries, parts.style), 'utf8')) };
}

/** The same request with every well-formed `submissionId` replaced by `id`, re-encoded. */
export function withSubmissionId(request: FormRequest, id: string): FormRequest {
  const entries = request.entries.map(([key, value]) => (key === 'submissionId' && isCorrelationId(value) ? [key, id] as const : [key, value] as const));
  return buildFormRequest({ ...request, entries });
}

/** Requests to the form: entries of text (possibly repeated), a submission id, odd encodings and headers. */
export const formRequests: fc.Arbitrary<FormRequest> = fc.record({
  contentType: weightedContentType(FORM_CONTENT_TYPES),
  accept: fc.constantFrom(undefined, 'text/html,application/xhtml+xml,*/*;q=0.8', 'application/json', '*/*'),
  fields: formEntries,
  submissionId,
  style: fc.constantFrom('plus' as const, 'percent' as const),
  tweak: fc.oneof(
    { weight: 24, arbitrary: fc.constant('none' as const) },
    { weight: 1, arbitrary: fc.constantFrom('stray-percent' as const, 'latin-1-value' as const, 'raw-invalid-byte' as const) },
  ),
}).map(({ fields, submissionId: id, ...rest }) => buildFormRequest({
  ...rest,
  entries: (id === undefined ? fields : [...fields, ['submissionId', id]]) as (readonly [string, string])[],
}));

/** The form's fields as the server reads them: a repeated key gives an array of its values. */
export function formView(list: readonly (readonly [string, string])[]): Record<string, string | string[]> {
  const view = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of list) {
    const existing = view[key];
    if (existing === undefined) view[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else view[key] = [existing, value];
  }
  return view;
}

/** The first value posted under a key, or undefined. */
export function firstPosted(list: readonly (readonly [string, string])[], key: string): string | undefined {
  return list.find(([k]) => k === key)?.[1];
}

/** What `POST /app/SignUp` must answer, worked out from the entries, the tweak and the headers. */
export function predictFormAnswer(request: FormRequest): AnswerExpectation {
  if (!contentTypeAccepted(request.contentType, FORM_CONTENT_TYPES.accepted)) return { kind: 'refused', status: 415 };
  if (request.body.length > BODY_LIMIT_BYTES) return { kind: 'refused', status: 413 };
  if (request.tweak === 'latin-1-value' || request.tweak === 'raw-invalid-byte') return { kind: 'refused', status: 400 };
  const validation = predictValidation(formView(request.entries));
  if (!validation.valid) return { kind: 'invalid', errorKeys: validation.fields };
  const id = firstPosted(request.entries, 'submissionId');
  return { kind: 'saved', prospect: validation.prospect, correlationId: isCorrelationId(id) ? id.toLowerCase() : undefined };
}
