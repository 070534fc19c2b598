import { expect } from 'chai';
import { describe, it } from 'mocha';
import { isTransientError, SignUpError } from '@signup/domain';
import { HandlerInUseError, HandlerNameInvalidError, MessageUndecodableError } from '../../../src/nats/index.js';

describe('the NATS adapter\'s errors', () => {
  it('are SignUp errors with a stable code, none of them transient', () => {
    const cases: Array<[SignUpError, string]> = [
      [new MessageUndecodableError('m'), 'MESSAGE_UNDECODABLE'],
      [new HandlerNameInvalidError('save handler'), 'HANDLER_NAME_INVALID'],
      [new HandlerInUseError('index-handler', '2 waiting pulls'), 'HANDLER_IN_USE'],
    ];
    for (const [error, code] of cases) {
      expect(error, code).to.be.instanceOf(SignUpError);
      expect(error, code).to.include({ code, transient: false, name: error.constructor.name });
      expect(isTransientError(error), code).to.equal(false);
    }
  });

  it('names the handler whose name cannot name a consumer', () => {
    const error = new HandlerNameInvalidError('save.handler');
    expect(error.handlerName).to.equal('save.handler');
    expect(error.message).to.include('"save.handler"');
  });

  it('names the handler that other instances still run, with what showed them', () => {
    const error = new HandlerInUseError('index-handler', '2 waiting pulls');
    expect(error.handlerName).to.equal('index-handler');
    expect(error.message).to.include('index-handler').and.include('2 waiting pulls');
  });
});
