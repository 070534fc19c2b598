import { ReferenceData } from '@signup/domain';
import { prospectRepositoryContract } from '@signup/test-support/prospect-repository-contract';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { InMemoryProspectRepository } from '../../../src/memory/in-memory-prospect-repository.js';

prospectRepositoryContract('InMemoryProspectRepository', () => {
  const repository = new InMemoryProspectRepository();
  return Promise.resolve({
    repository,
    close: () => Promise.resolve(),
    countRows: (correlationId: string) => Promise.resolve(
      repository.prospects.filter((p) => p.correlationId === correlationId.toLowerCase()).length),
  });
});

describe('InMemoryProspectRepository', function () {
  it('lists what it stored, oldest first, with the ids it gave', async function () {
    const repository = new InMemoryProspectRepository();
    const [a, b] = [newProspectSignedUpEvent(), newProspectSignedUpEvent()];
    await repository.saveMany([a, b, a]);
    expect(repository.prospects.map((p) => [p.prospectId, p.correlationId, p.prospect.prospectId]))
      .to.deep.equal([[1, a.correlationId, 1], [2, b.correlationId, 2]]);
  });

  it('checks codes against the reference data it is given', async function () {
    const repository = new InMemoryProspectRepository(new ReferenceData(
      [{ countryCode: 'GBR', countryName: 'United Kingdom' }], [{ roleCode: 'EN', roleName: 'Engineer' }]));
    expect((await repository.save(newProspectSignedUpEvent())).created).to.equal(true);
    let code: unknown;
    await repository.save(newProspectSignedUpEvent({ countryCode: 'USA' })).catch((error: { code?: unknown }) => {
      code = error.code;
    });
    expect(code).to.equal('UNKNOWN_REFERENCE_CODE');
  });
});
