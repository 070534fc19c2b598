import { expect } from 'chai';
import { describe, it } from 'mocha';
import { Configuration, ConfigurationError, readSignUpSettings } from '@signup/adapters/config';
import { HANDLER_COMMANDS } from '@signup/host-handler';
import { planWebHost } from '../../../src/composition/build-container.js';

function settingsFrom(values: Record<string, string> = {}) {
  return readSignUpSettings(Configuration.from(values));
}

describe('planWebHost', () => {
  it('runs every handler of the command table in the all-in-one when Handlers:InProcess is unset, and binds their ports', () => {
    const plan = planWebHost(settingsFrom());

    expect(plan.inProcess).to.equal(true);
    expect(plan.handlers.map((handler) => handler.name)).to.deep.equal(['save-handler', 'index-handler']);
    expect(Object.keys(plan.signUp.chosen)).to.include.members(['IProspectSaveHandler', 'IReferenceDataLoader', 'IProspectRepository', 'IProspectIndex']);
  });

  it('runs only the handlers Handlers:InProcess names, and with none a synchronous web saves without an outbox', () => {
    const synchronous = { 'Dependencies:IProspectSaveHandler': 'SynchronousProspectSaveHandler' };
    const indexOnly = planWebHost(settingsFrom({ ...synchronous, 'Handlers:InProcess': 'index' }));
    expect(indexOnly.handlers.map((handler) => handler.name)).to.deep.equal(['index-handler']);
    expect(indexOnly).to.include({ inProcess: true, outbox: true });
    const none = planWebHost(settingsFrom({ ...synchronous, 'Handlers:InProcess': 'none' }));
    expect(none).to.include({ inProcess: false, outbox: false });
    expect(none.handlers).to.deep.equal([]);
  });

  it('refuses an asynchronous all-in-one that runs no handler storing sign-ups, naming Handlers:InProcess', () => {
    for (const selection of ['index', 'none']) {
      let error: unknown;
      try {
        planWebHost(settingsFrom({ 'Handlers:InProcess': selection }));
      } catch (thrown) {
        error = thrown;
      }
      expect(error, selection).to.be.instanceOf(ConfigurationError).with.property('key', 'Handlers:InProcess');
      expect((error as Error).message).to.equal(`Handlers:InProcess = "${selection === 'none' ? 'none' : 'index'}" runs no handler that stores sign-ups (save); `
        + 'with the asynchronous save and no MessageQueue:Url every sign-up would be accepted and never stored: add it, or set MessageQueue:Url');
    }
    expect(planWebHost(settingsFrom({ 'Handlers:InProcess': 'none', 'MessageQueue:Url': 'nats://mq:4222' })).handlers).to.deep.equal([]);
  });

  it('stops with one line naming Handlers:InProcess and the handler commands for a name that is no handler command', () => {
    const error = (() => {
      try {
        planWebHost(settingsFrom({ 'Handlers:InProcess': 'save,deadletters' }));
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();

    expect(error).to.be.instanceOf(ConfigurationError).with.property('key', 'Handlers:InProcess');
    expect((error as Error).message).to.equal('Handlers:InProcess names "deadletters", which is not a handler command; use some of: save, index (comma-separated), or none');
  });

  it('runs no handler in its process with MessageQueue:Url, nor with a synchronous save whose outbox is off', () => {
    expect(planWebHost(settingsFrom({ 'MessageQueue:Url': 'nats://mq:4222' }))).to.include({ inProcess: false }).and.have.property('handlers').that.is.empty;
    const plain = planWebHost(settingsFrom({ 'Dependencies:IProspectSaveHandler': 'SynchronousProspectSaveHandler', 'Outbox:Enabled': 'false' }));
    expect(plain).to.include({ inProcess: false, outbox: false }).and.have.property('handlers').that.is.empty;
  });

  it('runs the handlers in its process with a synchronous save, fed by the outbox, and relays the outbox to NATS when it is set', () => {
    const synchronous = { 'Dependencies:IProspectSaveHandler': 'SynchronousProspectSaveHandler' };
    const allInOne = planWebHost(settingsFrom(synchronous));
    expect(allInOne).to.include({ inProcess: true, outbox: true });
    expect(allInOne.handlers.map((handler) => handler.name)).to.deep.equal(['save-handler', 'index-handler']);
    expect(planWebHost(settingsFrom({ ...synchronous, 'MessageQueue:Url': 'nats://mq:4222' }))).to.include({ inProcess: false, outbox: true });
  });

  it('takes the handlers from the command table it is given', () => {
    const [save] = HANDLER_COMMANDS;
    expect(planWebHost(settingsFrom(), { commands: [save!] }).handlers.map((handler) => handler.name)).to.deep.equal(['save-handler']);
  });
});
