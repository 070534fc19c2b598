import { isPlausibleEmailAddress, ReferenceData, type Prospect, type ProspectField } from '@signup/domain';

/** The six fields of the form and the JSON API, in form order. */
export const PROSPECT_FIELDS: readonly ProspectField[] = Object.freeze([
  'firstName', 'lastName', 'emailAddress', 'companyName', 'countryCode', 'roleCode',
]);

/** What validating an input must give: the prospect as it will be stored, or the fields in error. */
export type ValidationExpectation =
  | { readonly valid: true; readonly prospect: Prospect }
  | { readonly valid: false; readonly fields: readonly ProspectField[] };

// The limits and the refused characters of docs/architecture.md ("The domain rules"), written out here rather than read from
// the domain, so the fuzz checks the rules and not the code against itself.
const NAME_LIMIT = 100;
const EMAIL_LIMIT = 254;
const COMPANY_LIMIT = 200;
const REFUSED = /[\p{Cc}\p{Cs}\u2028\u2029]/u;
const REFERENCE_DATA = ReferenceData.defaults();

type Text = { readonly kind: 'absent' } | { readonly kind: 'not-text' } | { readonly kind: 'text'; readonly value: string };

function textOf(input: object, field: ProspectField): Text {
  if (!Object.hasOwn(input, field)) return { kind: 'absent' };
  const value: unknown = (input as Record<string, unknown>)[field];
  if (value === undefined || value === null) return { kind: 'absent' };
  if (typeof value !== 'string') return { kind: 'not-text' };
  const trimmed = value.trim();
  return trimmed === '' ? { kind: 'absent' } : { kind: 'text', value: trimmed };
}

// Limits count UTF-16 code units, as SQL Server's nvarchar and the form's maxlength do.
const utf16Units = (value: string): number => value.length;

function nameOk(text: Text): boolean {
  return text.kind === 'text' && utf16Units(text.value) <= NAME_LIMIT && !REFUSED.test(text.value);
}

function emailOk(text: Text): boolean {
  return text.kind === 'text' && utf16Units(text.value) <= EMAIL_LIMIT && isPlausibleEmailAddress(text.value);
}

function companyOk(text: Text): boolean {
  return text.kind === 'absent' || (text.kind === 'text' && utf16Units(text.value) <= COMPANY_LIMIT && !REFUSED.test(text.value));
}

function codeOf(text: Text): string | undefined {
  if (text.kind === 'absent') return '-';
  return text.kind === 'text' ? text.value : undefined;
}

/**
 * What the sign-up rules say about an untrusted input (a parsed JSON body or
 * form): which fields are wrong, or the exact prospect to store (text trimmed,
 * company '' when blank, country and role resolved, `-` when not given).
 */
export function predictValidation(input: unknown): ValidationExpectation {
  const source: object = typeof input === 'object' && input !== null ? input : {};
  const [firstName, lastName, emailAddress, companyName, countryCode, roleCode] = PROSPECT_FIELDS.map((field) => textOf(source, field)) as
    [Text, Text, Text, Text, Text, Text];
  const countryKey = codeOf(countryCode);
  const roleKey = codeOf(roleCode);
  const country = countryKey === undefined ? undefined : REFERENCE_DATA.country(countryKey);
  const role = roleKey === undefined ? undefined : REFERENCE_DATA.role(roleKey);

  const fields: ProspectField[] = [];
  if (!nameOk(firstName)) fields.push('firstName');
  if (!nameOk(lastName)) fields.push('lastName');
  if (!emailOk(emailAddress)) fields.push('emailAddress');
  if (!companyOk(companyName)) fields.push('companyName');
  if (country === undefined) fields.push('countryCode');
  if (role === undefined) fields.push('roleCode');
  if (fields.length > 0 || country === undefined || role === undefined) return { valid: false, fields };

  const text = (value: Text): string => (value.kind === 'text' ? value.value : '');
  return {
    valid: true,
    prospect: {
      firstName: text(firstName),
      lastName: text(lastName),
      emailAddress: text(emailAddress),
      companyName: text(companyName),
      country: { countryCode: country.countryCode, countryName: country.countryName },
      role: { roleCode: role.roleCode, roleName: role.roleName },
    },
  };
}
