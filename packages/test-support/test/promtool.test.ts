import { expect } from 'chai';
import { describe, it } from 'mocha';
import { familiesWithoutSamples, hasPromtool, promtoolCheckMetrics } from '../src/promtool.js';

const TEXT = [
  '# HELP jobs_total Jobs done.', '# TYPE jobs_total counter', 'jobs_total{status="done"} 3',
  '# HELP batch_seconds Batch time.', '# TYPE batch_seconds histogram',
  'batch_seconds_bucket{le="1"} 1', 'batch_seconds_bucket{le="+Inf"} 1', 'batch_seconds_sum 0.5', 'batch_seconds_count 1',
  '# HELP queue_depth Waiting.', '# TYPE queue_depth gauge',
  '# HELP nodejs_active_requests Requests.', '# TYPE nodejs_active_requests gauge', '',
].join('\n');

describe('promtool helpers', () => {
  describe('familiesWithoutSamples', () => {
    it('names the declared families with no sample, histograms counted by their buckets', () => {
      expect(familiesWithoutSamples(TEXT)).to.deep.equal(['queue_depth', 'nodejs_active_requests']);
    });

    it('leaves out the families the pattern matches', () => {
      expect(familiesWithoutSamples(TEXT, /^nodejs_/)).to.deep.equal(['queue_depth']);
    });
  });

  describe('promtoolCheckMetrics', () => {
    it('passes a well-named exposition and reports a counter without _total', function () {
      if (!hasPromtool()) this.skip();
      expect(promtoolCheckMetrics(TEXT)).to.deep.equal({ status: 0, output: '' });
      const bad = promtoolCheckMetrics('# HELP saves Saves.\n# TYPE saves counter\nsaves 1\n');
      expect(bad.status).to.not.equal(0);
      expect(bad.output).to.include('saves counter metrics should have "_total" suffix');
    });
  });
});
