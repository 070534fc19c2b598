import { describe, it } from 'mocha';
import { expect } from 'chai';
import fc from 'fast-check';
import { RecordingLogger } from '@signup/adapters/memory';
import {
  expectApiAnswer, expectNoPrototypePollution, prototypeKeys, sendApiRequest,
} from '../../support/answer-checks.js';
import { createFuzzApp, type SavePath } from '../../support/fuzz-app.js';
import { CaseTally, fuzzParameters } from '../../support/fuzz-settings.js';
import { apiRequests, predictApiAnswer } from '../../support/sign-up-requests.js';

const RUNS = 2000;

describe('POST /api/prospects under hostile input (property-based)', function () {
  this.timeout(180_000);

  for (const path of ['sync', 'async'] as const satisfies readonly SavePath[]) {
    const saving = path === 'sync' ? 'SynchronousProspectSaveHandler over InMemoryProspectRepository' : 'AsynchronousProspectSaveHandler over InMemoryEventBus';
    it(`never answers 5xx, stores nothing for invalid input and stores valid input exactly as typed (${saving})`, async () => {
      const tally = new CaseTally();
      const logger = new RecordingLogger();
      const prototypeBefore = prototypeKeys();

      await fc.assert(fc.asyncProperty(apiRequests, async (api) => {
        const expected = predictApiAnswer(api);
        tally.count(expected.kind === 'saved');
        const t = await createFuzzApp(path, logger);
        try {
          const res = await sendApiRequest(t.callback, api);
          const correlationId = expectApiAnswer(res, expected, path === 'sync' ? 'saved' : 'queued');
          const stored = await t.stored();
          expectNoPrototypePollution(prototypeBefore);
          if (expected.kind !== 'saved') {
            expect(stored, 'rows after an invalid request').to.deep.equal([]);
            expect(t.published, 'events after an invalid request').to.deep.equal([]);
            return;
          }
          expect(stored, 'rows after a valid request').to.have.length(1);
          const [row] = stored;
          expect(row?.correlationId).to.equal(correlationId);
          expect(row?.prospect).to.deep.equal({ ...expected.prospect, prospectId: row?.prospectId });
          if (path === 'sync') {
            expect((res.body as { prospectId: number }).prospectId).to.equal(row?.prospectId);
          } else {
            expect(t.published, 'events after a valid request').to.have.length(1);
            expect(t.published[0]?.correlationId).to.equal(correlationId);
            expect(t.published[0]?.prospect).to.deep.equal(expected.prospect);
          }
        } finally {
          await t.close();
        }
      }), fuzzParameters(RUNS));

      expect(tally.valid, 'valid cases exercised').to.be.greaterThan(tally.total / 10);
      expect(tally.invalid, 'invalid cases exercised').to.be.greaterThan(tally.total / 10);
      expect(logger.messages('error'), 'unhandled errors logged').to.deep.equal([]);
    });
  }
});
