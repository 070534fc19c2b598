import { randomUUID } from 'node:crypto';
import type { ProspectSignedUpEvent } from '@signup/domain';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

/** The form's and the JSON API's fields for the n-th test prospect. */
export function prospectFields(index: number, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    firstName: `First${index}`,
    lastName: `Last${index}`,
    emailAddress: `prospect${index}@example.com`,
    companyName: `Company ${index}`,
    countryCode: 'GBR',
    roleCode: 'EN',
    ...overrides,
  };
}

/**
 * Posts the sign-up form as a browser would (urlencoded, no redirect following).
 * Resolves with the response; the submission id doubles as the event's correlation id.
 */
export function postSignUpForm(baseUrl: string, fields: Readonly<Record<string, string>>): Promise<Response> {
  return fetch(`${baseUrl}/app/SignUp`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
}

/** Posts to `POST /api/prospects` with an `Idempotency-Key`. */
export function postProspect(baseUrl: string, fields: Readonly<Record<string, string>>, idempotencyKey: string = randomUUID()): Promise<Response> {
  return fetch(`${baseUrl}/api/prospects`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify(fields),
    signal: AbortSignal.timeout(30_000),
  });
}

/** A valid event for the n-th test prospect, as the web would publish it. */
export function prospectEvent(
  index: number,
  overrides: { correlationId?: string; roleCode?: string; countryCode?: string; emailAddress?: string } = {},
): ProspectSignedUpEvent {
  return newProspectSignedUpEvent({
    firstName: `First${index}`,
    lastName: `Last${index}`,
    companyName: `Company ${index}`,
    emailAddress: `prospect${index}@example.com`,
    signedUpAt: new Date(),
    ...overrides,
  });
}

/**
 * The event as the original .NET SignUp.Web published it: Newtonsoft JSON with
 * PascalCase names and seven-digit fractional seconds, encoded as UTF-16LE with a
 * byte order mark.
 */
export function legacyEncoding(event: ProspectSignedUpEvent): Uint8Array {
  const { prospect } = event;
  const json = JSON.stringify({
    CorrelationId: event.correlationId,
    Subject: 'events.prospect.signedup',
    SignedUpAt: event.signedUpAt.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z'),
    Prospect: {
      ProspectId: 0,
      FirstName: prospect.firstName,
      LastName: prospect.lastName,
      CompanyName: prospect.companyName,
      EmailAddress: prospect.emailAddress,
      Role: { RoleCode: prospect.role.roleCode, RoleName: prospect.role.roleName },
      Country: { CountryCode: prospect.country.countryCode, CountryName: prospect.country.countryName },
    },
  });
  return new Uint8Array(Buffer.from(`\uFEFF${json}`, 'utf16le'));
}
