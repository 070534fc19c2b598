import { ReferenceData } from '@signup/domain';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { InMemoryReferenceDataLoader } from '../../../src/memory/in-memory-reference-data-loader.js';

describe('InMemoryReferenceDataLoader', () => {
  it('loads the original app\'s countries and roles by default', async () => {
    const data = await new InMemoryReferenceDataLoader().load();
    expect(data.countries).to.deep.equal(ReferenceData.defaults().countries);
    expect(data.roles).to.deep.equal(ReferenceData.defaults().roles);
  });

  it('loads the reference data it was given, and counts the loads', async () => {
    const given = new ReferenceData([{ countryCode: 'XX', countryName: 'Testland' }], [{ roleCode: 'QA', roleName: 'Tester' }]);
    const loader = new InMemoryReferenceDataLoader(given);
    expect(await loader.load()).to.equal(given);
    await loader.load();
    expect(loader.loadCount).to.equal(2);
  });
});
