import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { CachingReferenceDataLoader, DatabaseUnavailableError, ReferenceData } from '../../../src/index.js';

describe('CachingReferenceDataLoader', () => {
  let sandbox: sinon.SinonSandbox;
  let load: sinon.SinonStub<[], Promise<ReferenceData>>;
  let loader: CachingReferenceDataLoader;
  const data = ReferenceData.defaults();

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    load = sandbox.stub<[], Promise<ReferenceData>>().resolves(data);
    loader = new CachingReferenceDataLoader({ load });
  });

  afterEach(() => {
    sandbox.restore();
  });

  describe('load', () => {
    it('loads from its source once and keeps the result', async () => {
      expect(await loader.load()).to.equal(data);
      expect(await loader.load()).to.equal(data);
      expect(await loader.load()).to.equal(data);
      expect(load.callCount).to.equal(1);
    });

    it('shares one load between callers that ask at the same time', async () => {
      const results = await Promise.all([loader.load(), loader.load(), loader.load()]);
      expect(results).to.deep.equal([data, data, data]);
      expect(load.callCount).to.equal(1);
    });

    it('does not keep a failed load: the next call tries again', async () => {
      load.onFirstCall().rejects(new DatabaseUnavailableError('Database down'));
      const error: unknown = await loader.load().then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(DatabaseUnavailableError);
      expect(await loader.load()).to.equal(data);
      expect(await loader.load()).to.equal(data);
      expect(load.callCount).to.equal(2);
    });

    it('gives the failure to every caller waiting on the failed load', async () => {
      load.onFirstCall().rejects(new DatabaseUnavailableError('Database down'));
      const outcomes = await Promise.allSettled([loader.load(), loader.load()]);
      expect(outcomes.map((outcome) => outcome.status)).to.deep.equal(['rejected', 'rejected']);
      expect(load.callCount).to.equal(1);
    });
  });
});
