/** A country of the reference data. Code `-` means "--Not telling". */
export interface Country {
  readonly countryCode: string;
  readonly countryName: string;
}

/** A role of the reference data. Code `-` means "--Not telling". */
export interface Role {
  readonly roleCode: string;
  readonly roleName: string;
}

/** A person who signed up. `prospectId` is set once the database has stored it. */
export interface Prospect {
  readonly prospectId?: number;
  readonly firstName: string;
  readonly lastName: string;
  readonly companyName: string;
  readonly emailAddress: string;
  readonly country: Country;
  readonly role: Role;
}

/** What a person types: the form's and the JSON API's field names, before validation. */
export interface ProspectInput {
  readonly firstName?: unknown;
  readonly lastName?: unknown;
  readonly emailAddress?: unknown;
  readonly companyName?: unknown;
  readonly countryCode?: unknown;
  readonly roleCode?: unknown;
}

/** The input a valid prospect was made from; validating it again gives the same prospect. */
export function toProspectInput(prospect: Prospect): Required<{ [K in keyof ProspectInput]: string }> {
  return {
    firstName: prospect.firstName,
    lastName: prospect.lastName,
    emailAddress: prospect.emailAddress,
    companyName: prospect.companyName,
    countryCode: prospect.country.countryCode,
    roleCode: prospect.role.roleCode,
  };
}
