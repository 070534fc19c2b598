import type { AnalyticsProspect, IndexedProspect } from '@signup/domain';

/**
 * The fields of the original index `prospects` (`FullName`, `CompanyName`,
 * `EmailAddress`, `RoleName`, `CountryName`, `SignUpDate`) plus the codes and the event
 * id, in the order every analytics store writes and reads them (docs/analytics.md):
 * the Elasticsearch document and the SQL `ProspectIndex` row share them.
 */
export const PROSPECT_DOCUMENT_FIELDS = Object.freeze([
  'EventId', 'FullName', 'CompanyName', 'EmailAddress', 'CountryCode', 'CountryName', 'RoleCode', 'RoleName', 'SignUpDate',
] as const);

/** One sign-up under the original index's field names; `SignUpDate` as each store keeps a time. */
export type ProspectIndexFields<TTime> = Readonly<Record<Exclude<(typeof PROSPECT_DOCUMENT_FIELDS)[number], 'SignUpDate'>, string>>
  & { readonly SignUpDate: TTime };

/** A sign-up under the original index's field names; the event id in lower case, as every store keeps it. */
export function toProspectIndexFields(prospect: IndexedProspect): ProspectIndexFields<Date> {
  return {
    EventId: prospect.eventId.toLowerCase(),
    FullName: prospect.fullName,
    CompanyName: prospect.companyName,
    EmailAddress: prospect.emailAddress,
    CountryCode: prospect.countryCode,
    CountryName: prospect.countryName,
    RoleCode: prospect.roleCode,
    RoleName: prospect.roleName,
    SignUpDate: new Date(prospect.signUpDate),
  };
}

/** A row of the dashboard's list from what a store read back (the time as a `Date` or as ISO 8601 text). */
export function fromProspectIndexFields(fields: ProspectIndexFields<string | Date>): AnalyticsProspect {
  return {
    eventId: fields.EventId,
    fullName: fields.FullName,
    companyName: fields.CompanyName,
    emailAddress: fields.EmailAddress,
    countryCode: fields.CountryCode,
    countryName: fields.CountryName,
    roleCode: fields.RoleCode,
    roleName: fields.RoleName,
    signUpDate: new Date(fields.SignUpDate).toISOString(),
  };
}
