import { expect } from 'chai';
import { describe, it } from 'mocha';
import { DEFAULT_COUNTRIES, DEFAULT_ROLES, NOT_TELLING_CODE, ReferenceData } from '../../../src/index.js';

describe('ReferenceData', () => {
  describe('defaults', () => {
    it('holds the countries and roles of the original app', () => {
      const data = ReferenceData.defaults();
      expect(data.countries.map((country) => country.countryCode)).to.have.members([
        '-', 'GBR', 'USA', 'PT', 'NOR', 'SWE', 'IRE', 'DMK', 'IND', 'LIT', 'SPN', 'BGM', 'TNL', 'POL',
      ]);
      expect(data.roles.map((role) => role.roleCode)).to.have.members(['-', 'CO', 'TR', 'AC', 'EN', 'OP']);
      expect(data.country('TNL')).to.deep.equal({ countryCode: 'TNL', countryName: 'The Netherlands' });
      expect(data.role('OP')).to.deep.equal({ roleCode: 'OP', roleName: 'IT Ops' });
    });

    it('lists "--Not telling" first and the rest by name', () => {
      const data = ReferenceData.defaults();
      expect(data.countries[0]).to.deep.equal({ countryCode: NOT_TELLING_CODE, countryName: '--Not telling' });
      expect(data.roles[0]).to.deep.equal({ roleCode: NOT_TELLING_CODE, roleName: '--Not telling' });
      const countryNames = data.countries.slice(1).map((country) => country.countryName);
      expect(countryNames).to.deep.equal([...countryNames].sort((a, b) => a.localeCompare(b, 'en')));
      expect(data.roles.slice(1).map((role) => role.roleName))
        .to.deep.equal(['Architect', 'Consultant', 'Engineer', 'IT Ops', 'Trainer']);
    });
  });

  it('sorts the lists it is given and keeps "--Not telling" first wherever it was', () => {
    const data = new ReferenceData(
      [{ countryCode: 'B', countryName: 'Beta' }, { countryCode: '-', countryName: '--Not telling' }, { countryCode: 'A', countryName: 'Alpha' }],
      [{ roleCode: 'Z', roleName: 'Zed' }, { roleCode: 'Y', roleName: 'Why' }],
    );
    expect(data.countries.map((country) => country.countryCode)).to.deep.equal(['-', 'A', 'B']);
    expect(data.roles.map((role) => role.roleCode)).to.deep.equal(['Y', 'Z']);
  });

  it('finds nothing for an unknown code, including Object.prototype names', () => {
    const data = ReferenceData.defaults();
    for (const code of ['XXX', 'gbr', '__proto__', 'constructor', 'toString', '']) {
      expect(data.country(code)).to.equal(undefined);
      expect(data.role(code)).to.equal(undefined);
    }
  });

  it('cannot be changed through its lists, nor by changing the lists it was made from', () => {
    const countries = [{ countryCode: 'A', countryName: 'Alpha' }];
    const data = new ReferenceData(countries, DEFAULT_ROLES);
    countries[0]!.countryName = 'Changed';
    expect(data.country('A')?.countryName).to.equal('Alpha');
    expect(Object.isFrozen(data.countries)).to.equal(true);
    expect(Object.isFrozen(data.countries[0])).to.equal(true);
    expect(Object.isFrozen(DEFAULT_COUNTRIES)).to.equal(true);
  });

  it('keeps only the code and name of each entry', () => {
    const data = new ReferenceData([{ countryCode: 'A', countryName: 'Alpha', extra: 1 } as never], []);
    expect(data.countries[0]).to.deep.equal({ countryCode: 'A', countryName: 'Alpha' });
  });
});
