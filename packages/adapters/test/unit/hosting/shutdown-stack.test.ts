import { expect } from 'chai';
import { describe, it } from 'mocha';
import { RecordingLogger } from '../../../src/memory/index.js';
import { ShutdownStack } from '../../../src/hosting/index.js';

describe('ShutdownStack', () => {
  describe('run', () => {
    it('closes what was opened in reverse order, waiting for each step', async () => {
      const closed: string[] = [];
      const stack = new ShutdownStack(new RecordingLogger());
      const slow = (name: string) => () => new Promise<void>((resolve) => setTimeout(() => {
        closed.push(name);
        resolve();
      }, 5));
      stack.push('metrics server', slow('metrics server'));
      stack.push('database', () => {
        closed.push('database');
      });
      stack.push('message queue', slow('message queue'));
      stack.push('subscription', slow('subscription'));

      expect(await stack.run()).to.equal(true);
      expect(closed).to.deep.equal(['subscription', 'message queue', 'database', 'metrics server']);
    });

    it('logs a failing step, still runs the others and resolves false', async () => {
      const closed: string[] = [];
      const logger = new RecordingLogger();
      const stack = new ShutdownStack(logger);
      stack.push('database', () => {
        closed.push('database');
      });
      stack.push('message queue', () => Promise.reject(new Error('connection already closed')));
      stack.push('subscription', () => {
        closed.push('subscription');
      });

      expect(await stack.run()).to.equal(false);
      expect(closed).to.deep.equal(['subscription', 'database']);
      expect(logger.find('Closing message queue failed', 'error')?.fields.error).to.have.property('message', 'connection already closed');
    });

    it('runs the steps once however often it is called', async () => {
      let closes = 0;
      const stack = new ShutdownStack(new RecordingLogger());
      stack.push('database', () => {
        closes += 1;
      });

      const [first, second] = await Promise.all([stack.run(), stack.run()]);
      await stack.run();

      expect([first, second]).to.deep.equal([true, true]);
      expect(closes).to.equal(1);
    });

    it('ignores steps pushed once it started', async () => {
      const closed: string[] = [];
      const stack = new ShutdownStack(new RecordingLogger());
      await stack.run();
      stack.push('late', () => {
        closed.push('late');
      });

      await stack.run();
      expect(closed).to.deep.equal([]);
    });
  });
});
