import {
  isCorrelationId, type Country, type Prospect, type ProspectSignedUpEvent, type Role,
} from '@signup/domain';
import { isUtf8 } from 'node:buffer';
import { PROSPECT_SIGNED_UP_SUBJECT } from '../messaging/event-subjects.js';
import { MessageUndecodableError } from './message-undecodable-error.js';
import type { MessageEncoding } from '../config/index.js';

const encoder = new TextEncoder();
// Each decoder strips its own byte order mark; `fatal` turns bad byte sequences into errors.
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true });

// .NET writes up to 7 fractional digits, `Z`, an offset, or no zone at all (DateTimeKind.Unspecified).
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/;

type JsonObject = Record<string, unknown>;

/**
 * Encodes an event in the wire format of the original .NET SignUp app: PascalCase
 * JSON, UTF-8 by default. With `utf-16le` the bytes are exactly what the original's
 * `MessageHelper` wrote (`Encoding.Unicode.GetBytes`: UTF-16LE, no byte order mark),
 * which its handlers decode. `ProspectId` is 0 for a prospect not saved yet, as .NET wrote it.
 */
export function encodeProspectSignedUpEvent(event: ProspectSignedUpEvent, encoding: MessageEncoding = 'utf-8'): Uint8Array {
  const json = prospectSignedUpJson(event);
  if (encoding === 'utf-16le') {
    const bytes = Buffer.from(json, 'utf16le');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return encoder.encode(json);
}

function prospectSignedUpJson(event: ProspectSignedUpEvent): string {
  const { prospect } = event;
  return JSON.stringify({
    CorrelationId: event.correlationId,
    Subject: PROSPECT_SIGNED_UP_SUBJECT,
    SignedUpAt: event.signedUpAt.toISOString(),
    Prospect: {
      ProspectId: prospect.prospectId ?? 0,
      FirstName: prospect.firstName,
      LastName: prospect.lastName,
      CompanyName: prospect.companyName,
      EmailAddress: prospect.emailAddress,
      Role: { RoleCode: prospect.role.roleCode, RoleName: prospect.role.roleName },
      Country: { CountryCode: prospect.country.countryCode, CountryName: prospect.country.countryName },
    },
  });
}

/**
 * Decodes an event written by `encodeProspectSignedUpEvent` or by the original .NET
 * publisher: UTF-8 (with or without a byte order mark) or UTF-16LE (with or without
 * one; detected from the zero high bytes of the leading ASCII). Property names match
 * case-insensitively, as Newtonsoft's did; unknown properties are ignored. A
 * `SignedUpAt` without a zone is taken as UTC. The prospect is not validated here.
 *
 * @throws MessageUndecodableError naming what is wrong (encoding, JSON, a missing or
 *   mistyped property, a bad date or a correlation id that is not a UUID).
 */
export function decodeProspectSignedUpEvent(data: Uint8Array): ProspectSignedUpEvent {
  const root = asObject(parseJson(decodeText(data)), 'the message');
  const correlationId = property(root, 'CorrelationId');
  if (!isCorrelationId(correlationId)) {
    throw undecodable(correlationId === undefined || correlationId === null
      ? 'CorrelationId is missing'
      : `CorrelationId ${JSON.stringify(correlationId)} is not a UUID`);
  }
  const signedUpAt = parseDate(property(root, 'SignedUpAt'));
  const prospect = readProspect(asObject(property(root, 'Prospect'), 'Prospect'));
  return { correlationId, signedUpAt, prospect };
}

function decodeText(data: Uint8Array): string {
  if (data.length === 0) throw undecodable('the message is empty');
  try {
    if (data[0] === 0xff && data[1] === 0xfe) return utf16le.decode(data);
    if (data[0] === 0xfe && data[1] === 0xff) return utf16be.decode(data);
    if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return utf8.decode(data);
    if (data.length >= 2 && data[0] !== 0 && data[1] === 0) return utf16le.decode(data);
  } catch (error) {
    throw undecodable(NOT_TEXT, error);
  }
  // UTF-8 without a byte order mark, what every message of ours is: checked by `isUtf8` and read
  // by Buffer, which cost a fraction of a fatal TextDecoder per message (docs/benchmarks.md).
  if (!isUtf8(data)) throw undecodable(NOT_TEXT);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
}

const NOT_TEXT = 'the message is neither valid UTF-8 nor UTF-16';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw undecodable(`the message is not JSON (${(error as Error).message})`, error);
  }
}

function readProspect(source: JsonObject): Prospect {
  const prospectId = property(source, 'ProspectId');
  if (prospectId !== undefined && prospectId !== null && !Number.isSafeInteger(prospectId)) {
    throw undecodable('Prospect.ProspectId is not an integer');
  }
  const countrySource = asObject(property(source, 'Country'), 'Prospect.Country');
  const country: Country = {
    countryCode: requiredString(countrySource, 'CountryCode', 'Prospect.Country'),
    countryName: optionalString(countrySource, 'CountryName', 'Prospect.Country'),
  };
  const roleSource = asObject(property(source, 'Role'), 'Prospect.Role');
  const role: Role = {
    roleCode: requiredString(roleSource, 'RoleCode', 'Prospect.Role'),
    roleName: optionalString(roleSource, 'RoleName', 'Prospect.Role'),
  };
  const prospect: Prospect = {
    firstName: requiredString(source, 'FirstName', 'Prospect'),
    lastName: requiredString(source, 'LastName', 'Prospect'),
    companyName: optionalString(source, 'CompanyName', 'Prospect'),
    emailAddress: requiredString(source, 'EmailAddress', 'Prospect'),
    country,
    role,
  };
  return typeof prospectId === 'number' && prospectId > 0 ? { prospectId, ...prospect } : prospect;
}

// What `toISOString` writes, as our publisher does: `2026-12-06T02:47:00.123Z`.
const CANONICAL_LENGTH = 24;

function parseDate(value: unknown): Date {
  if (value === undefined || value === null) throw undecodable('SignedUpAt is missing');
  if (typeof value === 'string' && value.length === CANONICAL_LENGTH && value.endsWith('Z')) {
    // Our own format: a time that prints back as the same text is valid and exact.
    const time = Date.parse(value);
    if (!Number.isNaN(time)) {
      const date = new Date(time);
      if (date.toISOString() === value) return date;
    }
  }
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  if (match === null) throw undecodable(`SignedUpAt ${JSON.stringify(value)} is not an ISO 8601 date and time`);
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), milliseconds);
  const checked = new Date(local);
  if (checked.getUTCFullYear() !== Number(year) || checked.getUTCMonth() !== Number(month) - 1
    || checked.getUTCDate() !== Number(day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    throw undecodable(`SignedUpAt ${JSON.stringify(value)} is not a valid date and time`);
  }
  return new Date(local - offsetMinutes(zone) * 60_000);
}

function offsetMinutes(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

function property(source: JsonObject, name: string): unknown {
  if (Object.hasOwn(source, name)) return source[name];
  const wanted = name.toLowerCase();
  for (const key of Object.keys(source)) {
    if (key.toLowerCase() === wanted) return source[key];
  }
  return undefined;
}

function asObject(value: unknown, what: string): JsonObject {
  if (value === undefined || value === null) throw undecodable(`${what} is missing`);
  if (typeof value !== 'object' || Array.isArray(value)) throw undecodable(`${what} is not a JSON object`);
  return value as JsonObject;
}

function requiredString(source: JsonObject, name: string, parent: string): string {
  const value = property(source, name);
  if (value === undefined || value === null) throw undecodable(`${parent}.${name} is missing`);
  if (typeof value !== 'string') throw undecodable(`${parent}.${name} is not a string`);
  return value;
}

function optionalString(source: JsonObject, name: string, parent: string): string {
  const value = property(source, name);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw undecodable(`${parent}.${name} is not a string`);
  return value;
}

function undecodable(reason: string, cause?: unknown): MessageUndecodableError {
  return new MessageUndecodableError(`Cannot decode ProspectSignedUpEvent: ${reason}.`, cause === undefined ? {} : { cause });
}
