import { QueueUnavailableError, type IEventPublisher, type ProspectSignedUpEvent } from '@signup/domain';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ObservedEventPublisher } from '../../../src/composition/observed-event-publisher.js';
import { WebMetrics } from '../../../src/http/web-metrics.js';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

describe('ObservedEventPublisher', () => {
  describe('publish', () => {
    it('passes the event on and times every publish by mode, a failed one too, rethrowing its error unchanged', async () => {
      const metrics = new WebMetrics({ defaultMetrics: false });
      const published: ProspectSignedUpEvent[] = [];
      const failure = new QueueUnavailableError('queue down');
      let fail = false;
      const inner: IEventPublisher = {
        publish: (event) => {
          if (fail) return Promise.reject(failure);
          published.push(event);
          return Promise.resolve();
        },
      };
      const publisher = new ObservedEventPublisher(inner, metrics, 'jetstream');
      const event = newProspectSignedUpEvent();

      await publisher.publish(event);
      fail = true;
      const thrown = await publisher.publish(newProspectSignedUpEvent()).catch((error: unknown) => error);

      expect(published).to.deep.equal([event]);
      expect(thrown).to.equal(failure);
      expect(await metrics.render()).to.match(/^signup_publish_duration_seconds_count\{mode="jetstream"\} 2$/m);
    });
  });
});
