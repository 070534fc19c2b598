import { randomUUID } from 'node:crypto';
import { ReferenceData, type ProspectSignedUpEvent } from '@signup/domain';

/** What a test sets of the event `newProspectSignedUpEvent` builds; the rest keeps its default. */
export interface TestEventOverrides {
  readonly correlationId?: string;
  readonly signedUpAt?: Date;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly companyName?: string;
  readonly emailAddress?: string;
  /** A code of the reference data gets its name there; another code `countryName`, else `Unknown`. */
  readonly countryCode?: string;
  readonly countryName?: string;
  /** A code of the reference data gets its name there; another code `roleName`, else `Unknown`. */
  readonly roleCode?: string;
  readonly roleName?: string;
}

const REFERENCE = ReferenceData.defaults();

/**
 * The one builder of test events: a valid `ProspectSignedUpEvent` (Ada Lovelace of
 * Analytical Engines, GBR, EN, signed up 2026-11-23T10:00Z) with a fresh correlation id,
 * changed by `overrides`.
 */
export function newProspectSignedUpEvent(overrides: TestEventOverrides = {}): ProspectSignedUpEvent {
  const countryCode = overrides.countryCode ?? 'GBR';
  const roleCode = overrides.roleCode ?? 'EN';
  return {
    correlationId: overrides.correlationId ?? randomUUID(),
    signedUpAt: overrides.signedUpAt ?? new Date('2026-11-23T10:00:00.000Z'),
    prospect: {
      firstName: overrides.firstName ?? 'Ada',
      lastName: overrides.lastName ?? 'Lovelace',
      companyName: overrides.companyName ?? 'Analytical Engines',
      emailAddress: overrides.emailAddress ?? 'ada@example.com',
      country: { countryCode, countryName: REFERENCE.country(countryCode)?.countryName ?? overrides.countryName ?? 'Unknown' },
      role: { roleCode, roleName: REFERENCE.role(roleCode)?.roleName ?? overrides.roleName ?? 'Unknown' },
    },
  };
}
