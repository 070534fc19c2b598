import { ProspectInvalidError, type ProspectField } from '../errors/signup-error.js';
import type { Prospect } from './prospect.js';
import { NOT_TELLING_CODE, type ReferenceData } from './reference-data.js';

/**
 * Limits on what a prospect may contain, in UTF-16 code units: what SQL Server's
 * `nvarchar(n)` and a form's `maxlength` count. A character outside the Basic
 * Multilingual Plane (most emoji) counts as two, so whatever validation accepts fits
 * the columns of every dialect (PostgreSQL and MySQL count code points, never more).
 */
export const PROSPECT_LIMITS = Object.freeze({
  name: 100,
  emailAddress: 254,
  companyName: 200,
});

// Cc: C0 and C1 control characters, including tab and newline. Cs: lone surrogates,
// which cannot be stored as UTF-8. The line and paragraph separators break logs and HTML.
const FORBIDDEN_CHARACTERS = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
const EMAIL_LOCAL_PART = /^[^\s@<>()[\]\\,;:"\p{Cc}\p{Cs}]+$/u;
const EMAIL_DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const EMAIL_TOP_LEVEL_LABEL = /^(?:\p{L}{2,63}|xn--[a-z0-9-]{1,59})$/iu;

type FieldErrors = Partial<Record<ProspectField, string>>;

/** True when `value` has more than `limit` UTF-16 code units (see `PROSPECT_LIMITS`). */
function longerThan(value: string, limit: number): boolean {
  return value.length > limit;
}

/** The message for a field over its limit; says why when characters that count as two make up the difference. */
function tooLong(label: string, value: string, limit: number): string {
  const message = `${label} must be ${limit} characters or fewer`;
  return [...value].length <= limit ? `${message} (some characters, such as emoji, count as two).` : `${message}.`;
}

/** Reads one field of untrusted input as trimmed text; undefined when absent or blank, null when not text. */
function readText(input: object, field: ProspectField): string | undefined | null {
  if (!Object.hasOwn(input, field)) return undefined;
  const value: unknown = (input as Record<string, unknown>)[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function checkName(value: string | undefined | null, label: string): string | undefined {
  if (value === null) return `${label} must be text.`;
  if (value === undefined) return `Please enter your ${label.toLowerCase()}.`;
  if (longerThan(value, PROSPECT_LIMITS.name)) return tooLong(label, value, PROSPECT_LIMITS.name);
  if (FORBIDDEN_CHARACTERS.test(value)) return `${label} contains characters that are not allowed, such as line breaks.`;
  return undefined;
}

/** True when the address has the shape of a deliverable email address (`name@example.com`). */
export function isPlausibleEmailAddress(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (longerThan(local, 64) || !EMAIL_LOCAL_PART.test(local)) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  const topLevel = labels[labels.length - 1] ?? '';
  return labels.every((label) => EMAIL_DOMAIN_LABEL.test(label)) && EMAIL_TOP_LEVEL_LABEL.test(topLevel);
}

function checkEmail(value: string | undefined | null): string | undefined {
  if (value === null) return 'Email address must be text.';
  if (value === undefined) return 'Please enter your email address.';
  if (longerThan(value, PROSPECT_LIMITS.emailAddress)) return tooLong('Email address', value, PROSPECT_LIMITS.emailAddress);
  if (!isPlausibleEmailAddress(value)) return 'Please enter a valid email address, like name@example.com.';
  return undefined;
}

function checkCompany(value: string | undefined | null): string | undefined {
  if (value === null) return 'Company name must be text.';
  if (value === undefined) return undefined;
  if (longerThan(value, PROSPECT_LIMITS.companyName)) return tooLong('Company name', value, PROSPECT_LIMITS.companyName);
  if (FORBIDDEN_CHARACTERS.test(value)) return 'Company name contains characters that are not allowed, such as line breaks.';
  return undefined;
}

/**
 * Validates untrusted input (a parsed form, a JSON body, a decoded event) against
 * the rules of the sign-up form and the given reference data, and returns the
 * prospect it describes: text trimmed, country and role resolved to their names.
 * Only the six known fields are read, as own properties; anything else is ignored.
 *
 * @throws ProspectInvalidError naming every offending field with a message meant for a person.
 */
export function validateProspect(input: unknown, referenceData: ReferenceData): Prospect {
  const source: object = typeof input === 'object' && input !== null ? input : {};
  const errors: FieldErrors = {};

  const firstName = readText(source, 'firstName');
  const lastName = readText(source, 'lastName');
  const emailAddress = readText(source, 'emailAddress');
  const companyName = readText(source, 'companyName');
  const countryCode = readText(source, 'countryCode');
  const roleCode = readText(source, 'roleCode');

  const record = (field: ProspectField, message: string | undefined): void => {
    if (message !== undefined) errors[field] = message;
  };
  record('firstName', checkName(firstName, 'First name'));
  record('lastName', checkName(lastName, 'Last name'));
  record('emailAddress', checkEmail(emailAddress));
  record('companyName', checkCompany(companyName));

  const country = typeof countryCode === 'string' ? referenceData.country(countryCode)
    : countryCode === undefined ? referenceData.country(NOT_TELLING_CODE) : undefined;
  if (country === undefined) errors.countryCode = 'Please choose a country from the list.';
  const role = typeof roleCode === 'string' ? referenceData.role(roleCode)
    : roleCode === undefined ? referenceData.role(NOT_TELLING_CODE) : undefined;
  if (role === undefined) errors.roleCode = 'Please choose a role from the list.';

  if (Object.keys(errors).length > 0 || country === undefined || role === undefined) {
    throw new ProspectInvalidError(errors);
  }
  return {
    firstName: firstName as string,
    lastName: lastName as string,
    emailAddress: emailAddress as string,
    companyName: companyName ?? '',
    country,
    role,
  };
}
