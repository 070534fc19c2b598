import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import { RecordingLogger } from '../../../src/memory/index.js';
import { SignalShutdown } from '../../../src/hosting/index.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SignalShutdown', () => {
  let sandbox: sinon.SinonSandbox;
  let logger: RecordingLogger;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    logger = new RecordingLogger();
  });
  afterEach(() => sandbox.restore());

  describe('handle', () => {
    it('stops the host and exits 0 once everything closed cleanly', async () => {
      const stopped = deferred<boolean>();
      const stop = sandbox.stub().returns(stopped.promise);
      const exit = sandbox.stub();
      new SignalShutdown({ stop, exit, logger }).handle('SIGTERM');

      expect(stop.calledOnce).to.equal(true);
      expect(exit.called, 'exits only after the stop finished').to.equal(false);
      stopped.resolve(true);
      await stopped.promise;
      await new Promise((resolve) => setImmediate(resolve));

      expect(exit.calledOnceWithExactly(0)).to.equal(true);
      expect(logger.messages('info')).to.include('Received SIGTERM; stopping');
    });

    it('exits 1 when something did not close cleanly', async () => {
      const exit = sandbox.stub();
      new SignalShutdown({ stop: () => Promise.resolve(false), exit, logger }).handle('SIGINT');
      await new Promise((resolve) => setImmediate(resolve));

      expect(exit.calledOnceWithExactly(1)).to.equal(true);
    });

    it('exits 1 when stopping rejects, logging why', async () => {
      const exit = sandbox.stub();
      new SignalShutdown({ stop: () => Promise.reject(new Error('stuck')), exit, logger }).handle('SIGTERM');
      await new Promise((resolve) => setImmediate(resolve));

      expect(exit.calledOnceWithExactly(1)).to.equal(true);
      expect(logger.find('Stopping failed', 'error')).to.not.equal(undefined);
    });

    it('forces exit 1 on a second signal while stopping, without stopping twice', () => {
      const stop = sandbox.stub().returns(new Promise<boolean>(() => undefined));
      const exit = sandbox.stub();
      const shutdown = new SignalShutdown({ stop, exit, logger });

      shutdown.handle('SIGTERM');
      shutdown.handle('SIGINT');

      expect(stop.calledOnce).to.equal(true);
      expect(exit.calledOnceWithExactly(1)).to.equal(true);
      expect(logger.find('Received SIGINT while stopping; exiting now', 'warn')).to.not.equal(undefined);
    });
  });

  describe('install', () => {
    it('listens for SIGTERM and SIGINT', () => {
      const target = new EventEmitter();
      const stop = sandbox.stub().returns(new Promise<boolean>(() => undefined));
      new SignalShutdown({ stop, exit: sandbox.stub(), logger }).install(target as unknown as NodeJS.Process);

      expect(target.listenerCount('SIGTERM')).to.equal(1);
      expect(target.listenerCount('SIGINT')).to.equal(1);
      target.emit('SIGINT', 'SIGINT');
      expect(stop.calledOnce).to.equal(true);
    });
  });
});
