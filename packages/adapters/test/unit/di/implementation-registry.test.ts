import { IProspectRepository, IProspectSaveHandler, IReferenceDataLoader } from '@signup/domain';
import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { findImplementation, implementationRegistry, type ConfigurablePort } from '../../../src/di/index.js';

function configurationError(action: () => unknown): ConfigurationError {
  try {
    action();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('implementationRegistry', () => {
  it('registers each configurable port under its own token', () => {
    expect(implementationRegistry.IProspectSaveHandler.token).to.equal(IProspectSaveHandler);
    expect(implementationRegistry.IReferenceDataLoader.token).to.equal(IReferenceDataLoader);
    expect(implementationRegistry.IProspectRepository.token).to.equal(IProspectRepository);
  });

  it('has a registered default for every port', () => {
    for (const registration of Object.values(implementationRegistry)) {
      expect(registration.implementations.map((implementation) => implementation.name)).to.include(registration.defaultName);
    }
  });

  it('accepts the original SignUp.Web full name of every implementation of the original\'s ports', () => {
    for (const registration of [implementationRegistry.IProspectSaveHandler, implementationRegistry.IReferenceDataLoader]) {
      for (const implementation of registration.implementations) {
        expect(implementation.aliases.some((alias) => alias.startsWith('SignUp.Web.') && alias.endsWith(`.${implementation.name}`)))
          .to.equal(true, implementation.name);
      }
    }
  });
});

describe('findImplementation', () => {
  const cases: [ConfigurablePort, string, string][] = [
    ['IProspectSaveHandler', 'SynchronousProspectSaveHandler', 'SynchronousProspectSaveHandler'],
    ['IProspectSaveHandler', 'SignUp.Web.ProspectSave.SynchronousProspectSaveHandler', 'SynchronousProspectSaveHandler'],
    ['IProspectSaveHandler', 'AsynchronousProspectSaveHandler', 'AsynchronousProspectSaveHandler'],
    ['IProspectSaveHandler', 'SignUp.Web.ProspectSave.AsynchronousProspectSaveHandler', 'AsynchronousProspectSaveHandler'],
    ['IProspectSaveHandler', 'asynchronousPROSPECTsavehandler', 'AsynchronousProspectSaveHandler'],
    ['IProspectSaveHandler', ' SynchronousProspectSaveHandler ', 'SynchronousProspectSaveHandler'],
    ['IReferenceDataLoader', 'DatabaseReferenceDataLoader', 'DatabaseReferenceDataLoader'],
    ['IReferenceDataLoader', 'SignUp.Web.ReferenceData.DatabaseReferenceDataLoader', 'DatabaseReferenceDataLoader'],
    ['IReferenceDataLoader', 'ApiReferenceDataLoader', 'ApiReferenceDataLoader'],
    ['IReferenceDataLoader', 'SignUp.Web.ReferenceData.ApiReferenceDataLoader', 'ApiReferenceDataLoader'],
    ['IReferenceDataLoader', 'signup.web.referencedata.apireferencedataloader', 'ApiReferenceDataLoader'],
  ];

  for (const [port, configured, expected] of cases) {
    it(`resolves ${port} = ${configured.trim()} to ${expected}`, () => {
      expect(findImplementation(port, configured).name).to.equal(expected);
    });
  }

  for (const configured of [undefined, '', '   ']) {
    it(`uses the defaults when the name is ${JSON.stringify(configured)}`, () => {
      expect(findImplementation('IProspectSaveHandler', configured).name).to.equal('AsynchronousProspectSaveHandler');
      expect(findImplementation('IReferenceDataLoader', configured).name).to.equal('DatabaseReferenceDataLoader');
      expect(findImplementation('IProspectRepository', configured).name).to.equal('SqlProspectRepository');
    });
  }

  it('rejects an unknown name with one line naming the key, the value and the valid names', () => {
    const error = configurationError(() => findImplementation('IProspectSaveHandler', 'Foo').name);

    expect(error.key).to.equal('Dependencies:IProspectSaveHandler');
    expect(error.message).to.equal('Dependencies:IProspectSaveHandler = "Foo" is not a known implementation; '
      + 'use one of: SynchronousProspectSaveHandler, AsynchronousProspectSaveHandler (or their SignUp.Web.* full names)');
  });

  it('rejects a full name from the wrong namespace', () => {
    const error = configurationError(() =>
      findImplementation('IReferenceDataLoader', 'SignUp.Web.ProspectSave.DatabaseReferenceDataLoader').name);

    expect(error.key).to.equal('Dependencies:IReferenceDataLoader');
    expect(error.message).to.contain('DatabaseReferenceDataLoader, ApiReferenceDataLoader');
  });

  it('rejects a port that is not configurable', () => {
    expect(() => findImplementation('ILogger' as ConfigurablePort, 'x').name).to.throw(TypeError, 'ILogger is not a configurable port');
  });
});
