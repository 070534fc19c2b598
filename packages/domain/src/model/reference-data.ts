import type { Country, Role } from './prospect.js';

/** The code of the "--Not telling" entry in both lists, and the default choice. */
export const NOT_TELLING_CODE = '-';
const NOT_TELLING_NAME = '--Not telling';

/** The countries of the original SignUp app, as seeded in the database. */
export const DEFAULT_COUNTRIES: readonly Country[] = Object.freeze([
  { countryCode: NOT_TELLING_CODE, countryName: NOT_TELLING_NAME },
  { countryCode: 'GBR', countryName: 'United Kingdom' },
  { countryCode: 'USA', countryName: 'United States' },
  { countryCode: 'PT', countryName: 'Portugal' },
  { countryCode: 'NOR', countryName: 'Norway' },
  { countryCode: 'SWE', countryName: 'Sweden' },
  { countryCode: 'IRE', countryName: 'Ireland' },
  { countryCode: 'DMK', countryName: 'Denmark' },
  { countryCode: 'IND', countryName: 'India' },
  { countryCode: 'LIT', countryName: 'Lithuania' },
  { countryCode: 'SPN', countryName: 'Spain' },
  { countryCode: 'BGM', countryName: 'Belgium' },
  { countryCode: 'TNL', countryName: 'The Netherlands' },
  { countryCode: 'POL', countryName: 'Poland' },
]);

/** The roles of the original SignUp app, as seeded in the database. */
export const DEFAULT_ROLES: readonly Role[] = Object.freeze([
  { roleCode: NOT_TELLING_CODE, roleName: NOT_TELLING_NAME },
  { roleCode: 'CO', roleName: 'Consultant' },
  { roleCode: 'TR', roleName: 'Trainer' },
  { roleCode: 'AC', roleName: 'Architect' },
  { roleCode: 'EN', roleName: 'Engineer' },
  { roleCode: 'OP', roleName: 'IT Ops' },
]);

function notTellingFirstThenByName<T>(name: (item: T) => string, code: (item: T) => string) {
  return (a: T, b: T): number => {
    if (code(a) === NOT_TELLING_CODE) return code(b) === NOT_TELLING_CODE ? 0 : -1;
    if (code(b) === NOT_TELLING_CODE) return 1;
    return name(a).localeCompare(name(b), 'en');
  };
}

/**
 * The countries and roles a prospect may choose from, in display order
 * ("--Not telling" first, the rest sorted by name), with lookups by code.
 */
export class ReferenceData {
  readonly countries: readonly Country[];
  readonly roles: readonly Role[];
  private readonly countriesByCode: ReadonlyMap<string, Country>;
  private readonly rolesByCode: ReadonlyMap<string, Role>;

  constructor(countries: readonly Country[], roles: readonly Role[]) {
    this.countries = Object.freeze(
      countries.map((c) => Object.freeze({ countryCode: c.countryCode, countryName: c.countryName }))
        .sort(notTellingFirstThenByName((c: Country) => c.countryName, (c) => c.countryCode)),
    );
    this.roles = Object.freeze(
      roles.map((r) => Object.freeze({ roleCode: r.roleCode, roleName: r.roleName }))
        .sort(notTellingFirstThenByName((r: Role) => r.roleName, (r) => r.roleCode)),
    );
    this.countriesByCode = new Map(this.countries.map((c) => [c.countryCode, c]));
    this.rolesByCode = new Map(this.roles.map((r) => [r.roleCode, r]));
  }

  /** The reference data the original app seeded. */
  static defaults(): ReferenceData {
    return new ReferenceData(DEFAULT_COUNTRIES, DEFAULT_ROLES);
  }

  /** The country with this code, or undefined. */
  country(code: string): Country | undefined {
    return this.countriesByCode.get(code);
  }

  /** The role with this code, or undefined. */
  role(code: string): Role | undefined {
    return this.rolesByCode.get(code);
  }
}
